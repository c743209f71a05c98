"""The publishing pipeline (cms/publishing/services.py): one pass per change, audiences
first, the read model written once, one outbox row per consumer."""

import pytest
from django.db import transaction
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.publishing.models import OutboxMessage
from cms.publishing.services import PIPELINE_CATEGORIES, pages_publish
from cms.readmodel.models import Change, ChangeAudience, PublishedItem
from federation.models import SharedItem
from tests.factories import make_event, make_news, publish
from tests.federation.conftest import sharing_policy

pytestmark = pytest.mark.django_db

OUTBOX_TASKS = {"default": {"BACKEND": "cms.publishing.tasks_backend.OutboxTaskBackend"}}
# Wagtail's own publish (revision, page rows, log entry, comments, workflow, reference
# index and admin search tasks queued) is 29 of these; the pipeline the rest (the
# commune, its sharing plan, the shares, Audience rows, read model, one change with
# its audience, the contributions observer, one outbox INSERT).
MAX_QUERIES_PER_PUBLISH = 40


@pytest.fixture
def shared_world(commune, neighbour_commune):
    sharing_policy(commune, kinds=["news", "event"], radius_km=20)
    sharing_policy(neighbour_commune, kinds=[], default_acceptance="accept")
    return commune, neighbour_commune


def test_a_shared_publish_writes_one_change_with_its_audience(shared_world, settings,
                                                              django_assert_max_num_queries):
    commune, neighbour = shared_world
    settings.TASKS = OUTBOX_TASKS  # as deployed: Wagtail's tasks queued, not run inline
    make_news(commune, title="Vœux du maire")  # the commune's sharing plan is known
    page = make_news(commune, title="Marché de Noël", live=False)
    Change.objects.all().delete()
    OutboxMessage.objects.all().delete()
    revision = page.save_revision()
    Site.get_site_root_paths()  # cached between publishes, as in a running process

    with django_assert_max_num_queries(MAX_QUERIES_PER_PUBLISH):
        revision.publish()

    change = Change.objects.get()  # one event, with the audience decided before
    assert change.action == "created" and change.item_id == page.pk
    assert change.payload["shared_with"] == [neighbour.insee_code]
    assert list(ChangeAudience.objects.values_list("commune_id", "present")) == [
        (neighbour.pk, True)]
    assert PublishedItem.objects.get(pk=page.pk).payload["shared_with"] == [neighbour.insee_code]
    assert SharedItem.objects.get(page=page).state == "accepted"
    categories = sorted(OutboxMessage.objects.exclude(category="tasks")
                        .values_list("category", flat=True))
    # …and the row of residents' notifications, whose observer wants news (notify/).
    assert categories == sorted([*PIPELINE_CATEGORIES, "notify"])


def test_the_same_representation_again_records_no_change(shared_world):
    page = publish(make_news(shared_world[0], title="Collecte des encombrants"))
    pages_publish(pages=[page])  # e.g. a neighbour's rule re-applied: nothing moved
    assert list(Change.objects.filter(item_id=page.pk).values_list("action", flat=True)) == [
        "created", "updated"]  # the factory's page, then its first revision
    page.title = "Collecte des encombrants (mardi)"
    publish(page)
    assert list(Change.objects.filter(item_id=page.pk).values_list("action", flat=True)) == [
        "created", "updated", "updated"]


def test_unpublish_then_delete_leave_one_tombstone_each(shared_world):
    page = make_event(shared_world[0], title="Loto")
    page.unpublish()
    assert Change.objects.filter(item_id=page.pk).last().action == "unpublished"
    other = make_event(shared_world[0], title="Bal")
    other.delete()  # Wagtail unpublishes it first, inside the deletion
    actions = list(Change.objects.filter(item_id=other.pk).values_list("action", flat=True))
    assert actions == ["created", "deleted"]
    assert not PublishedItem.objects.filter(pk__in=[page.pk, other.pk]).exists()


def test_a_rolled_back_publish_records_nothing(shared_world):
    counts = (Change.objects.count(), OutboxMessage.objects.count(),
              PublishedItem.objects.count(), SharedItem.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        make_news(shared_world[0], title="Annulé")
        raise RuntimeError("rollback")
    assert (Change.objects.count(), OutboxMessage.objects.count(),
            PublishedItem.objects.count(), SharedItem.objects.count()) == counts


def test_only_the_pipeline_listens_to_publishing():
    """No consumer connects its own page receivers: nothing depends on app order."""
    for signal in (page_published, page_unpublished, post_page_move):
        modules = {receiver().__module__ for _key, receiver, *_rest in signal.receivers
                   if receiver() is not None}
        ours = {module for module in modules
                if module.split(".")[0] in {"cms", "search", "federation", "frontend"}}
        assert ours == {"cms.publishing.signals"}, (signal, ours)

"""The indexing outbox: written in the publishing transaction, drained with retries."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from wagtail.models import Locale

from cms.publishing.models import OutboxMessage, OutboxState
from search.models import SearchEntry
from search.query import SearchRequest, search_run
from search.services import backoff_seconds, index_enqueue, outbox_drain
from tests.factories import make_news, publish

pytestmark = pytest.mark.django_db


def search_rows():
    return OutboxMessage.objects.filter(category="search")


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}


def test_publish_unpublish_delete_write_outbox_rows(commune):
    page = make_news(commune, title="Conseil municipal")
    assert list(search_rows().values_list("object_id", flat=True)) == [page.pk]
    publish(page)
    page.unpublish()
    page.delete()
    assert search_rows().filter(object_id=page.pk).count() >= 3


def test_a_rolled_back_publish_records_nothing(commune):
    before = search_rows().count()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_news(commune, title="Annulé")
        assert search_rows().count() == before + 1
        raise RuntimeError("rollback")
    assert search_rows().count() == before


def test_translation_is_indexed_in_its_language(commune):
    page = make_news(commune, title="Fête du village")
    english = Locale.objects.get_or_create(language_code="en")[0]
    commune.copy_for_translation(english, copy_parents=True).save_revision().publish()
    translation = page.copy_for_translation(english, copy_parents=True)
    translation.title = "Village fair"
    publish(translation)
    assert search_rows().filter(object_id=translation.pk).exists()
    outbox_drain(force=True)
    assert SearchEntry.objects.get(page_id=translation.pk).locale == "en"
    hits = search_run(request=SearchRequest(text="fair", locale="en", scope="all")).hits
    assert [hit.title for hit in hits] == ["Village fair"]


def test_federation_can_ask_for_reindexing(commune):
    page = make_news(commune, title="Partagé")
    outbox_drain(force=True)
    with transaction.atomic():
        index_enqueue(page_ids=[page.pk])
    assert search_rows().filter(object_id=page.pk, state=OutboxState.PENDING).count() == 1


def test_unreachable_engine_keeps_rows_pending_with_backoff(commune, settings):
    # Nothing listens on port 9: a real refused connection.
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.elasticsearch."
                                          "ElasticsearchSearchBackend",
                               "URL": "http://127.0.0.1:9", "ANALYSIS": "full", "TIMEOUT": 1}
    make_news(commune, title="En attente")
    # The clock stands still: on a loaded machine the 2 s of backoff could pass between
    # two drains, and "not due yet" would not hold.
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        report = outbox_drain()
        assert report.failed == 1 and report.remaining == 1
        row = search_rows().get()
        assert row.attempts == 1 and row.next_attempt_at is not None and row.last_error
        assert outbox_drain().failed == 0  # not due yet: backoff
        assert outbox_drain(force=True).failed == 1
        assert search_rows().get().attempts == 2
    assert [backoff_seconds(n) for n in (1, 2, 3, 20)] == [2, 4, 8, 300]

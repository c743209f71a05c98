"""Inbox messages applied in batches (federation/activitypub/inbox_batch.py).

Activities are POSTed to the real inbox view, signed by a live fake peer, and only
then drained in one worker pass, so that they form one batch: the test settings run
tasks immediately, which would otherwise drain after every POST.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from cms.content.models import EventIndexPage, EventPage, NewsPage
from cms.publishing.models import OutboxMessage
from cms.readmodel.models import Change, PublishedItem
from federation.activitypub import worker
from federation.models import InboxMessage, ObjectVersion, SharedItem
from federation.sharing import share_decide
from tests.factories import changes_numbered, worker_pass
from tests.federation.e2e.fixtures import post_signed
from tests.federation.test_ap_inbound import T0, event

INBOX = "/ap/inbox"


@pytest.fixture
def held(monkeypatch):
    """Keep the inbox view from asking for a pass after each POST: the test drains once."""
    monkeypatch.setattr(worker, "_drain_enqueue", lambda: None)


def article(actor, *, number, name="Conseil municipal", updated=T0):
    return {"id": f"{actor.url}/news/{number}", "type": "Article", "name": name,
            "attributedTo": actor.url, "summary": "Compte rendu",
            "content": "<p>Séance du conseil.</p>", "published": T0.isoformat(),
            "updated": updated.isoformat(), "url": f"{actor.url}/news/{number}"}


def post(client, actor, activity_type, obj, *, number, prefix="a"):
    activity = {"@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{actor.url}/activities/{prefix}{number}", "type": activity_type,
                "actor": actor.url, "object": obj,
                "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    response = post_signed(client, actor=actor, path=INBOX, activity=activity)
    assert response.status_code == 202
    return response


def tree_problems():
    return [found for found in Page.find_problems() if found]


def test_a_burst_of_creates_is_stored_in_bulk_with_a_valid_tree(
        client, followed, held, django_capture_on_commit_callbacks):
    for number in range(1, 9):
        post(client, followed, "Create", event(followed, number=number,
                                                 name=f"Fête n° {number}"), number=number)
    for number in range(1, 5):
        post(client, followed, "Create", article(followed, number=number), number=100 + number)
    assert InboxMessage.objects.filter(state="received").count() == 12

    with django_capture_on_commit_callbacks(execute=True):
        worker.drain()
    assert set(InboxMessage.objects.values_list("state", flat=True)) == {"processed"}

    assert tree_problems() == []
    events = list(EventPage.objects.filter(ap_id__startswith=f"{followed.url}/events/")
                  .order_by("path"))
    news = list(NewsPage.objects.filter(ap_id__startswith=f"{followed.url}/news/"))
    assert len(events) == 8 and len(news) == 4
    agenda = EventIndexPage.objects.get(pk=events[0].get_parent().pk)
    assert agenda.numchild == 8 == agenda.get_children().count()
    assert agenda.get_parent().specific.origin_server == followed.peer.netloc
    for page in events:
        assert page.depth == agenda.depth + 1 and page.path.startswith(agenda.path)
        assert page.url_path == f"{agenda.url_path}{page.slug}/"
        assert page.live and page.origin_server == followed.peer.netloc
    assert [page.title for page in events] == [f"Fête n° {n}" for n in range(1, 9)]
    # Treebeard reads them back as it would have written them.
    assert list(agenda.get_children().specific()) == events

    page_ids = [page.pk for page in [*events, *news]]
    # Read model with provenance, one "created" change each; search outbox; sharing.
    items = PublishedItem.objects.filter(pk__in=page_ids)
    assert items.count() == 12
    assert {item.payload["provenance"]["origin_commune"] for item in items} == {"Saint-Nazaire"}
    assert Change.objects.filter(item_id__in=page_ids, action="created").count() == 12
    assert set(OutboxMessage.objects.filter(category="search", object_id__in=page_ids)
               .values_list("object_id", flat=True)) == set(page_ids)
    shares = SharedItem.objects.filter(page_id__in=page_ids)
    assert shares.count() == 12
    assert {(share.receiver.slug, share.state, share.source_server) for share in shares} == {
        ("donges", "pending", followed.peer.netloc)}
    versions = ObjectVersion.objects.filter(page_id__in=page_ids)
    assert versions.count() == 12 and all(version.version == T0 for version in versions)
    # Wagtail's admin search (the immediate test task backend ran the bulk indexing).
    from wagtail.search.models import IndexEntry

    worker_pass("federation.admin_index")  # Wagtail's admin search, in bulk, next pass
    assert IndexEntry.objects.filter(object_id__in=[str(pk) for pk in page_ids]).count() == 12
    # Held for review, then accepted: the resident site and the public API serve them
    # like local pages.
    assert client.get(events[0].url).status_code == 404
    for share in shares:
        share_decide(share=share, action="accept", user=None)
    html = client.get(events[0].url)
    assert html.status_code == 200 and "Fête n° 1" in html.content.decode()
    listed = client.get("/api/events", {"page_size": 100}).json()["results"]
    assert {item["title"] for item in listed} >= {f"Fête n° {n}" for n in range(1, 9)}

    # A second burst lands after the first in the same section, tree still valid.
    for number in range(9, 29):
        post(client, followed, "Create", event(followed, number=number,
                                                 name=f"Fête n° {number}"), number=number)
    with CaptureQueriesContext(connection) as queries:
        worker.drain()
    # One by one, twenty pages cost some 1,400 statements; the batch a fixed few dozen.
    assert len(queries.captured_queries) < 120, len(queries.captured_queries)
    agenda.refresh_from_db()
    assert agenda.numchild == 28 == agenda.get_children().count()
    assert tree_problems() == []


def test_an_acceptance_rule_applies_to_a_batch(client, followed, held, ap_commune):
    from federation.models import AcceptanceRule

    AcceptanceRule.objects.create(receiver=ap_commune, source_server=followed.peer.netloc,
                                  decision="accept")
    for number in range(1, 6):
        post(client, followed, "Create", event(followed, number=number), number=number)
    worker.drain()
    shares = SharedItem.objects.filter(page__eventpage__ap_id__startswith=followed.url)
    assert shares.count() == 5 and {share.state for share in shares} == {"accepted"}
    received = PublishedItem.objects.filter(origin_server=followed.peer.netloc)
    for item in received:
        assert item.payload["shared_with"] == [ap_commune.insee_code]
    # A partner mirroring the receiving commune through the change feed gets them.
    changes_numbered()
    feed = client.get("/api/changes", {"commune": ap_commune.insee_code}).json()["results"]
    assert {entry["id"] for entry in feed if entry["action"] == "created"} == {
        item.pk for item in received}


SCRIPT = [
    # (activity, object, {overrides}) in arrival order, all in one batch.
    ("Create", "events/1", {}),
    ("Create", "events/2", {}),
    ("Create", "events/3", {}),
    ("Create", "news/4", {}),
    ("Update", "events/1", {"name": "v3", "hours": 3}),
    ("Update", "events/1", {"name": "v2 (late)", "hours": 2}),  # older than v3: ignored
    ("Update", "events/2", {"name": "v2", "hours": 1}),
    # Dated the post's second: an edit all the same (servers date to the second).
    ("Update", "events/3", {"name": "same", "hours": 0}),
    ("Delete", "events/2", {}),
    ("Update", "events/2", {"name": "after delete", "hours": 5}),  # tombstone wins
    ("Create", "events/2", {}),  # no resurrection
    ("Delete", "events/5", {}),  # before any Create
    ("Create", "events/5", {}),
    ("Update", "news/4", {"name": "Conseil (v2)", "hours": 2}),
    ("Delete", "news/4", {}),
    ("Update", "events/6", {"name": "Update first", "hours": 1}),  # unknown: stored
    ("Create", "events/7", {}),
    ("Create", "events/8", {}),
]


def _play(client, actor, prefix: str) -> dict:
    def obj(path, overrides):
        kind, number = path.split("/")
        number = int(number)
        updated = T0 + dt.timedelta(hours=overrides.get("hours", 0))
        name = overrides.get("name", f"{kind} {number}")
        if kind == "news":
            made = article(actor, number=number, name=name, updated=updated)
        else:
            made = event(actor, number=number, name=name, updated=updated)
        made["id"] = made["url"] = made["id"].replace(f"/{kind}/", f"/{prefix}{kind}/")
        return made

    for number, (activity_type, path, overrides) in enumerate(SCRIPT):
        made = obj(path, overrides)
        post(client, actor, activity_type, made["id"] if activity_type == "Delete" else made,
             number=number, prefix=prefix)
    worker.drain()
    base = f"{actor.url}/{prefix}"
    states = [InboxMessage.objects.get(activity_id=f"{actor.url}/activities/{prefix}{n}")
              for n in range(len(SCRIPT))]
    pages = {page.ap_id.removeprefix(base): page.title for model in (EventPage, NewsPage)
             for page in model.objects.filter(ap_id__startswith=base)}
    versions = {version.ap_id.removeprefix(base): (version.version, version.deleted_at is not None)
                for version in ObjectVersion.objects.filter(ap_id__startswith=base)}
    items = {item.origin_url.removeprefix(base): item.title
             for item in PublishedItem.objects.filter(origin_url__startswith=base)}
    return {"states": [(message.state, message.last_error) for message in states],
            "pages": pages, "versions": versions, "items": items}


def test_a_mixed_batch_ends_as_the_one_by_one_path_does(client, followed, held, settings):
    batch = _play(client, followed, "b")
    settings.FEDERATION_INBOX_BULK = False
    one_by_one = _play(client, followed, "o")
    assert batch == one_by_one
    # And what that is, spelled out.
    assert batch["pages"] == {"events/1": "v3", "events/3": "same", "events/6": "Update first",
                              "events/7": "events 7", "events/8": "events 8"}
    assert batch["items"] == {"events/1": "v3", "events/3": "same",
                              "events/6": "Update first", "events/7": "events 7",
                              "events/8": "events 8"}
    assert batch["versions"]["events/2"][1] and batch["versions"]["events/5"][1]
    assert batch["versions"]["news/4"][1]
    assert [state for state, _reason in batch["states"]].count("processed") == 14
    assert tree_problems() == []


def test_a_poisoned_message_fails_alone(client, followed, held, monkeypatch):
    from federation.activitypub import mirror, mirror_bulk

    real = mirror._fill
    poisoned = f"{followed.url}/events/3"

    def fill(page, obj, **kwargs):
        if obj.id == poisoned:
            raise ValueError("poisoned object")
        return real(page, obj, **kwargs)

    monkeypatch.setattr(mirror, "_fill", fill)
    monkeypatch.setattr(mirror_bulk, "_fill", fill)
    for number in range(1, 7):
        post(client, followed, "Create", event(followed, number=number), number=number)
    worker.drain()
    failed = InboxMessage.objects.get(activity_id=f"{followed.url}/activities/a3")
    assert failed.state == "failed" and "poisoned object" in failed.last_error
    assert failed.attempts == 1 and failed.next_attempt_at > failed.received_at
    assert InboxMessage.objects.filter(state="processed").count() == 5
    stored = set(EventPage.objects.values_list("ap_id", flat=True))
    assert stored == {f"{followed.url}/events/{n}" for n in (1, 2, 4, 5, 6)}
    assert tree_problems() == []
    # Nothing was lost: once the bug is gone, the retry stores it.
    monkeypatch.setattr(mirror, "_fill", real)
    InboxMessage.objects.filter(pk=failed.pk).update(next_attempt_at=failed.received_at)
    worker.drain()
    failed.refresh_from_db()
    assert failed.state == "processed"
    assert EventPage.objects.filter(ap_id=poisoned).count() == 1
    assert tree_problems() == []


def test_a_failing_bulk_insert_falls_back_to_one_by_one(client, followed, held, monkeypatch):
    from cms.content import bulk

    def broken(pages, *, database):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(bulk, "pages_insert", broken)
    for number in range(1, 6):
        post(client, followed, "Create", event(followed, number=number), number=number)
    post(client, followed, "Update", event(followed, number=1, name="v2",
                                           updated=T0 + dt.timedelta(hours=1)), number=6)
    worker.drain()
    assert set(InboxMessage.objects.values_list("state", flat=True)) == {"processed"}
    assert EventPage.objects.filter(ap_id__startswith=followed.url).count() == 5
    assert EventPage.objects.get(ap_id=f"{followed.url}/events/1").title == "v2"
    assert PublishedItem.objects.filter(origin_server=followed.peer.netloc).count() == 5
    assert tree_problems() == []


def test_replays_inside_one_batch_have_no_effect(client, followed, held):
    for number in range(1, 6):
        post(client, followed, "Create", event(followed, number=number), number=number)
    # The same activity again: recorded as seen by the view, never stored twice.
    again = post(client, followed, "Create", event(followed, number=1), number=1)
    assert again.json()["status"] == "duplicate"
    # The same object under a new activity id (a peer re-delivering): ignored as stale.
    post(client, followed, "Create", event(followed, number=2), number=99)
    assert InboxMessage.objects.count() == 6
    worker.drain()
    assert EventPage.objects.filter(ap_id__startswith=followed.url).count() == 5
    replayed = InboxMessage.objects.get(activity_id=f"{followed.url}/activities/a99")
    assert replayed.state == "ignored" and replayed.last_error == "ignored: stale"
    assert PublishedItem.objects.filter(origin_server=followed.peer.netloc).count() == 5
    assert tree_problems() == []


def _delete_many(client, actor, prefix: str, capture) -> dict:
    """Five stored objects (four events, one article), a reference to one of them from a
    local page, then a Delete of each in one batch; what is left behind."""
    from wagtail.models import PageLogEntry, ReferenceIndex, Revision
    from wagtail.search.models import IndexEntry

    from frontend import pagecache

    stored = [event(actor, number=n) for n in range(1, 5)] + [article(actor, number=5)]
    for made in stored:
        made["id"] = made["url"] = made["id"].replace(f"{actor.url}/", f"{actor.url}/{prefix}")
    for number, made in enumerate(stored):
        post(client, actor, "Create", made, number=number, prefix=f"{prefix}c")
    with capture(execute=True):  # the admin search indexes them (immediate task backend)
        worker.drain()
    versions = {version.ap_id: version for version in ObjectVersion.objects.filter(
        ap_id__in=[made["id"] for made in stored])}
    page_ids = [versions[made["id"]].page_id for made in stored]
    assert all(page_ids)
    assert SharedItem.objects.filter(page_id__in=page_ids).count() == 5
    worker_pass("federation.admin_index")
    assert IndexEntry.objects.filter(object_id__in=[str(pk) for pk in page_ids]).count() == 5
    # A revision (what an Update applied one by one leaves): goes with its page.
    EventPage.objects.get(pk=page_ids[1]).save_revision()
    local = EventIndexPage.objects.first()
    ReferenceIndex.objects.create(
        content_type=ReferenceIndex._get_base_content_type(local),
        base_content_type=ReferenceIndex._get_base_content_type(local),
        object_id=str(local.pk), to_content_type=ReferenceIndex._get_base_content_type(local),
        to_object_id=str(page_ids[0]), model_path="body", content_path="body", content_path_hash=
        ReferenceIndex._get_content_path_hash("body"))
    outbox_before = set(OutboxMessage.objects.filter(
        category="search", object_id__in=page_ids).values_list("pk", flat=True))
    generation = pagecache.generation()
    for number, made in enumerate(stored):
        post(client, actor, "Delete", made["id"], number=number, prefix=f"{prefix}d")
    # capture(execute=True): the commit, which drains the page cache and the change feed.
    with capture(execute=True) as callbacks, CaptureQueriesContext(connection) as queries:
        worker.drain()
    base = f"{actor.url}/{prefix}"
    changes = Change.objects.filter(item_id__in=page_ids).order_by("pk")
    return {
        "states": sorted(InboxMessage.objects.filter(
            activity_id__startswith=f"{actor.url}/activities/{prefix}d")
            .values_list("state", "last_error")),
        "pages_left": Page.objects.filter(pk__in=page_ids).count(),
        "items_left": PublishedItem.objects.filter(pk__in=page_ids).count(),
        "shares_left": SharedItem.objects.filter(page_id__in=page_ids).count(),
        "revisions_left": Revision.objects.filter(object_id__in=[str(pk) for pk in page_ids])
        .count(),
        "admin_search_left": IndexEntry.objects.filter(
            object_id__in=[str(pk) for pk in page_ids]).count(),
        "tombstones": sorted(version.ap_id.removeprefix(base) for version in
                             ObjectVersion.objects.filter(ap_id__startswith=base,
                                                          deleted_at__isnull=False)),
        "versions_unlinked": not ObjectVersion.objects.filter(page_id__in=page_ids).exists(),
        "changes": sorted((change.action, change.payload is None, change.kind)
                          for change in changes),
        "last_change": sorted({change.item_id: change.action for change in changes}.values()),
        # Pages queued for search: the drain takes every pending row of a page at once.
        "searched_pages": sorted(page_ids.index(page_id) for page_id in set(
            OutboxMessage.objects.filter(category="search", object_id__in=page_ids)
            .exclude(pk__in=outbox_before).values_list("object_id", flat=True))),
        "page_cache_bumped": pagecache.generation() > generation,
        "references": ReferenceIndex.objects.filter(to_object_id__in=[str(pk) for pk in page_ids])
        .count(),
        "delete_logs": sorted(PageLogEntry.objects.filter(
            page_id__in=page_ids, action="wagtail.delete").values_list(
            "label", "content_type__model", "deleted", "user_id", "data")),
        "queries": len(queries),
        "drains_on_commit": sum(getattr(getattr(callback, "func", None), "__name__", "")
                                == "_drain_after_commit" for callback in callbacks),
    }


def test_a_batch_of_deletes_ends_as_the_one_by_one_path_does(
        client, followed, held, settings, django_capture_on_commit_callbacks):
    batch = _delete_many(client, followed, "b", django_capture_on_commit_callbacks)
    settings.FEDERATION_INBOX_BULK = False
    one_by_one = _delete_many(client, followed, "o", django_capture_on_commit_callbacks)
    batch_queries, one_by_one_queries = batch.pop("queries"), one_by_one.pop("queries")
    batch_drains = batch.pop("drains_on_commit")
    one_by_one.pop("drains_on_commit")
    assert batch == one_by_one
    assert batch["states"] == [("processed", "")] * 5
    assert batch["pages_left"] == batch["items_left"] == batch["references"] == 0
    assert batch["shares_left"] == batch["admin_search_left"] == batch["revisions_left"] == 0
    assert batch["versions_unlinked"] and batch["page_cache_bumped"]
    assert batch["tombstones"] == ["events/1", "events/2", "events/3", "events/4", "news/5"]
    # One tombstone per item in the change feed, after its creation.
    assert [action for action, _none, _kind in batch["changes"]].count("deleted") == 5
    assert batch["last_change"] == ["deleted"] * 5
    assert batch["searched_pages"] == [0, 1, 2, 3, 4]
    assert batch["delete_logs"] == sorted(
        [("Fête du port", "eventpage", True, None, {})] * 4
        + [("Conseil municipal", "newspage", True, None, {})])
    assert tree_problems() == []
    # The batch does the receivers' work once: one on-commit drain per category drained
    # on commit (the page cache, the change feed); one by one, each deleted page asks.
    assert batch_drains <= 2
    assert batch_queries < one_by_one_queries / 3, (batch_queries, one_by_one_queries)


def test_an_unknown_delete_receiver_gets_every_signal(
        client, followed, held, django_capture_on_commit_callbacks):
    """A receiver the bulk deletion does not stand in for (another app's): the pages go
    through the queryset delete with every signal, and end the same."""
    from django.db.models.signals import pre_delete

    seen = []

    def receiver(sender, instance, **kwargs):
        if isinstance(instance, EventPage | NewsPage):
            seen.append(instance.ap_id)

    pre_delete.connect(receiver, weak=False, dispatch_uid="test-unknown-receiver")
    try:
        result = _delete_many(client, followed, "u", django_capture_on_commit_callbacks)
    finally:
        pre_delete.disconnect(dispatch_uid="test-unknown-receiver")
    assert len(seen) == 5
    assert result["states"] == [("processed", "")] * 5
    assert result["pages_left"] == result["items_left"] == result["shares_left"] == 0
    assert result["admin_search_left"] == result["references"] == 0
    assert result["searched_pages"] == [0, 1, 2, 3, 4]
    assert result["last_change"] == ["deleted"] * 5
    assert tree_problems() == []

"""Change feed: every action in commit order, cursors that never skip, expiry."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext  # noqa: F401
from django.utils import timezone

from cms.publishing.outbox import outbox_append
from cms.readmodel import changes as change_feed
from cms.readmodel import services
from cms.readmodel.models import Change, ChangeAction
from tests.factories import changes_numbered, make_event, make_news, publish, soon

pytestmark = pytest.mark.django_db


def read_all(client, cursor=None, **params):
    changes_numbered()
    changes = []
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/changes", query).json()
        changes += body["results"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return changes, cursor


def test_create_update_unpublish_delete_in_order(client, commune):
    event = make_event(commune, title="Fête", start=soon(1))
    event.title = "Grande fête"
    publish(event)
    event.unpublish()
    news = make_news(commune, title="Nouvelle")
    news.delete()
    changes, _cursor = read_all(client)
    assert [(c["action"], c["id"]) for c in changes] == [
        ("created", event.pk), ("updated", event.pk), ("unpublished", event.pk),
        ("created", news.pk), ("deleted", news.pk)]
    assert changes[1]["item"]["title"] == "Grande fête"
    assert changes[2]["item"] is None and changes[4]["item"] is None  # tombstones
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_republishing_unchanged_content_records_an_update_only_when_it_changed(client, commune):
    event = make_event(commune, title="Fête", start=soon(1))
    publish(event)  # last_published_at moves: the representation changed
    count = Change.objects.count()
    services.item_sync(page=event)  # same representation: nothing new
    assert Change.objects.count() == count


def test_cursor_resumes_after_the_last_change_seen(client, commune):
    make_event(commune, title="A", start=soon(1))
    _changes, cursor = read_all(client)
    make_event(commune, title="B", start=soon(2))
    changes, cursor = read_all(client, cursor)
    assert [c["item"]["title"] for c in changes] == ["B"]
    again, _cursor = read_all(client, cursor)
    assert again == []


def test_late_commit_is_not_skipped(client, commune):
    """A change written before another but committed after it still reaches a reader
    that already holds a cursor past the other one.

    Simulated on one connection: change A exists unnumbered (its transaction has not
    committed, so the numbering step cannot see it), B is numbered and read, then A
    commits and is numbered. The PostgreSQL variant below uses real transactions.
    """
    make_event(commune, title="A", start=soon(1))
    late = Change.objects.latest("pk")
    Change.objects.filter(pk=late.pk).update(seq=None)
    hidden = Change.objects.filter(pk=late.pk)
    # Hide A from the numbering step as an uncommitted row would be.
    payload = hidden.values().get()
    hidden.delete()
    make_event(commune, title="B", start=soon(2))
    changes, cursor = read_all(client)
    assert [c["item"]["title"] for c in changes] == ["B"]
    Change.objects.create(**{**payload, "seq": None})  # A's transaction commits now,
    outbox_append(category="changes")                  # with its request for numbering
    changes, _cursor = read_all(client, cursor)
    assert [c["item"]["title"] for c in changes] == ["A"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_out_of_order_commits_on_postgresql(client, commune, neighbour_commune):
    """Two real transactions: the first to write commits last; the reader holding a
    cursor past the second still gets the first."""
    import threading

    from django.db import connections, transaction

    written, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                make_event(commune, title="Lent", start=soon(1))
                written.set()
                release.wait(20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(20)
    # Another commune: no row lock shared with the slow writer's tree.
    make_event(neighbour_commune, title="Rapide", start=soon(2))
    changes, cursor = read_all(client)
    assert [c["item"]["title"] for c in changes] == ["Rapide"]
    release.set()
    thread.join(20)
    late, _cursor = read_all(client, cursor)
    assert [c["item"]["title"] for c in late] == ["Lent"]
    assert late[0]["seq"] > changes[-1]["seq"]


def test_expired_cursor_is_410_with_resync_advice(client, commune):
    make_event(commune, title="A", start=soon(1))
    _changes, old_cursor = read_all(client)
    make_event(commune, title="B", start=soon(2))
    _changes, _cursor = read_all(client, old_cursor)
    Change.objects.update(created_at=timezone.now() - dt.timedelta(days=40))
    assert change_feed.changes_prune(older_than=dt.timedelta(days=30)) >= 2
    fresh, _latest = read_all(client)
    assert fresh == []
    response = client.get("/api/changes", {"cursor": old_cursor})
    assert response.status_code == 410
    assert response.json()["code"] == "cursor_expired"
    assert "resync" in response.json()["errors"]["detail"][0]


def test_filter_by_commune_and_kind(client, commune, neighbour_commune):
    make_event(commune, title="Donges", start=soon(1))
    make_news(neighbour_commune, title="Montoir")
    changes, _cursor = read_all(client, commune="44103")
    assert [c["item"]["title"] for c in changes] == ["Montoir"]
    changes, _cursor = read_all(client, kind="event")
    assert [c["item"]["title"] for c in changes] == ["Donges"]


def test_sequencing_runs_after_commit(django_capture_on_commit_callbacks, commune):
    with django_capture_on_commit_callbacks(execute=True):
        make_event(commune, title="A", start=soon(1))
    assert not Change.objects.filter(seq__isnull=True).exists()
    assert Change.objects.get().action == ChangeAction.CREATED

"""The one outbox (cms/publishing/outbox.py): coalescing, one retry policy, dead letters,
retention, and the refusal of a category nobody drains."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.publishing import outbox
from cms.publishing.checks import outbox_consumers_check
from cms.publishing.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder():
    """A test category whose handler records what it is given, or fails on demand."""
    calls: list[list[tuple[int, dict]]] = []
    failure: dict = {}

    def handle(rows):
        if failure.get("error"):
            raise failure["error"]
        calls.append(sorted((row.object_id, row.payload) for row in rows))

    outbox.consumer_register(outbox.Consumer(category="test.recorder", handle=handle,
                                             max_attempts=3))
    yield calls, failure
    outbox._consumers.pop("test.recorder")


def rows():
    return OutboxMessage.objects.filter(category="test.recorder")


def test_rows_of_one_object_coalesce_to_the_newest(recorder):
    calls, _failure = recorder
    outbox.outbox_append(category="test.recorder", object_ids=[1], payload={"v": 1})
    outbox.outbox_append(category="test.recorder", object_ids=[2], payload={"v": 1})
    outbox.outbox_append(category="test.recorder", object_ids=[1], payload={"v": 2})
    report = outbox.outbox_drain(categories=["test.recorder"])
    assert calls == [[(1, {"v": 2}), (2, {"v": 1})]]
    assert report.done == 3
    assert set(rows().values_list("state", flat=True)) == {OutboxState.DONE}


def test_a_failure_is_retried_with_backoff_then_dead_lettered(recorder):
    calls, failure = recorder
    outbox.outbox_append(category="test.recorder", object_ids=[7])
    failure["error"] = outbox.RetryLater("peer down", retry_after=120)
    before = timezone.now()
    assert outbox.outbox_drain(categories=["test.recorder"]).failed == 1
    row = rows().get()
    # The remote's Retry-After (120 s) wins over the first backoff step (2 s).
    assert row.attempts == 1 and row.next_attempt_at >= before + dt.timedelta(seconds=119)
    assert "peer down" in row.last_error
    assert outbox.outbox_drain(categories=["test.recorder"]).failed == 0  # not due yet
    failure["error"] = ValueError("a bug")
    outbox.outbox_drain(categories=["test.recorder"], force=True)
    report = outbox.outbox_drain(categories=["test.recorder"], force=True)
    assert report.dead == 1 and rows().get().state == OutboxState.DEAD
    assert calls == []
    # An operator lists and retries the dead letters, once the cause is fixed.
    failure.clear()
    call_command("outbox", "retry", "--category", "test.recorder", verbosity=0)
    assert rows().get().state == OutboxState.PENDING
    outbox.outbox_drain(categories=["test.recorder"])
    assert calls == [[(7, {})]] and rows().get().state == OutboxState.DONE


def test_backoff_grows_and_is_bounded():
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3, 20)] == [2, 4, 8, 300]
    assert outbox.backoff_seconds(1, retry_after=3600) == 3600


def test_retention_sweeps_done_and_dead_rows_by_category(recorder):
    outbox.outbox_append(category="test.recorder", object_ids=[1, 2, 3])
    old = timezone.now() - dt.timedelta(days=40)
    rows().filter(object_id=1).update(state=OutboxState.DONE, done_at=old)
    rows().filter(object_id=2).update(state=OutboxState.DEAD, done_at=old)
    assert outbox.outbox_sweep() == 2
    assert list(rows().values_list("object_id", flat=True)) == [3]  # pending: kept


def test_a_category_nobody_drains_is_refused(recorder):
    with pytest.raises(LookupError):
        outbox.outbox_append(category="nobody.drains.this")
    assert outbox_consumers_check(None) == []
    saved = outbox._consumers.pop("search")
    try:
        errors = outbox_consumers_check(None)
    finally:
        outbox._consumers["search"] = saved
    assert [error.id for error in errors] == ["publishing.E001"]


def test_a_rolled_back_transaction_leaves_no_row(recorder):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_append(category="test.recorder", object_ids=[9])
        raise RuntimeError("rollback")
    assert not rows().exists()

"""The outbox's consumers and its drain: one retry policy, coalescing, dead letters.

A consumer app registers one `Consumer` per category in its AppConfig.ready();
`outbox_append()` refuses a category nobody drains, and a system check refuses to
start when a category has no handler. A handler receives the newest pending row of
each object (older rows of the same object are superseded and marked done with it)
and either returns, or raises: `RetryLater` for a transient failure (an engine or a
peer down; `retry_after` honours the remote's `Retry-After`), anything else for a bug.
Both are retried with the same backoff; a consumer with `max_attempts` moves the rows
to the dead-letter state after that many tries, where an operator lists and retries
them (`manage.py outbox`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .deadline import deadline
from .models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
# How long a worker holds a batch it is handling before another may take it over.
LEASE_SECONDS = 300
ERROR_LENGTH = 2000


class RetryLater(Exception):  # noqa: N818 (a signal to the drain, not an error)
    """A transient failure: try the rows again later (after `retry_after` seconds if
    the remote said so)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Consumer:
    category: str
    handle: Callable[[list[OutboxMessage]], Any]
    batch_size: int = 500
    # Drained by the committing process right after commit (cheap, local work whose
    # delay readers would notice); the worker loop catches whatever that missed.
    drain_on_commit: bool = False
    # None: retried until it succeeds (nothing is dropped); else dead after that many.
    max_attempts: int | None = None
    # False: every row is its own work (tasks); True: the newest row per object wins.
    coalesce: bool = True
    # For the pipeline's per-page categories: whether a page concerns this consumer at
    # all, decided in memory (ActivityPub: local pages in the source language only).
    wants: Callable[[Any], bool] | None = None
    done_retention: dt.timedelta = dt.timedelta(days=1)
    dead_retention: dt.timedelta = dt.timedelta(days=30)
    description: str = field(default="", compare=False)


_consumers: dict[str, Consumer] = {}


def consumer_register(consumer: Consumer) -> None:
    """Declare who drains a category (called from an AppConfig.ready())."""
    _consumers[consumer.category] = consumer


def consumers() -> dict[str, Consumer]:
    return dict(_consumers)


def backoff_seconds(attempts: int, *, retry_after: float | None = None, base: float = 2.0,
                    maximum: float = MAX_BACKOFF_SECONDS, jitter: bool = False) -> float:
    """The one retry policy (the outbox, deliveries, received activities): `base`
    doubled per attempt, at most `maximum`; with `jitter`, anywhere in the upper half
    (retries of many rows spread out); a remote's Retry-After wins when later (at most
    a day)."""
    seconds = min(base * 2 ** max(attempts - 1, 0), maximum)
    if jitter:
        seconds = seconds / 2 + random.random() * seconds / 2  # noqa: S311 - not crypto
    if retry_after is not None:
        seconds = max(seconds, min(float(retry_after), 24 * 3600.0))
    return float(seconds)


def outbox_append(*, category: str, object_ids: Iterable[int] = (0,),
                  payload: dict[str, Any] | None = None,
                  payloads: dict[int, dict[str, Any]] | None = None) -> int:
    """Record work for `category`, one row per object, in the current transaction;
    return how many rows were written."""
    return outbox_append_many([(category, object_id,
                                (payloads or {}).get(object_id, payload or {}))
                               for object_id in dict.fromkeys(object_ids)])


def outbox_append_many(entries: Iterable[tuple[str, int, dict[str, Any]]]) -> int:
    """Record (category, object id, payload) rows of several categories in one INSERT
    (held until the end of the current `outbox_batch()`, if any)."""
    rows = [OutboxMessage(category=category, object_id=object_id, payload=payload)
            for category, object_id, payload in entries]
    for category in {row.category for row in rows}:
        consumer = _consumers.get(category)
        if consumer is None:
            raise LookupError(f"no consumer drains the outbox category {category!r}")
        if consumer.drain_on_commit:
            transaction.on_commit(functools.partial(_drain_after_commit, category))
    batch = _batch.get()
    if batch is not None:
        batch.extend(rows)
    else:
        OutboxMessage.objects.bulk_create(rows)
    return len(rows)


_batch: ContextVar[list[OutboxMessage] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def outbox_batch() -> Iterator[None]:
    """Write the rows appended inside the block in one INSERT at its end (a service
    whose steps each append: the change feed's row, the consumers'). Nested blocks
    join the outermost; an exception drops the rows with the rest of the work."""
    if _batch.get() is not None:
        yield
        return
    rows: list[OutboxMessage] = []
    token = _batch.set(rows)
    try:
        yield
    finally:
        _batch.reset(token)
    if rows:
        OutboxMessage.objects.bulk_create(rows)


def _drain_after_commit(category: str) -> None:
    try:
        outbox_drain(categories=[category], max_batches=10)
    except Exception:
        # The worker loop drains what is left: a failure here only delays.
        logger.exception("outbox: draining %s after commit failed", category)


@dataclass
class DrainReport:
    done: int = 0
    failed: int = 0
    dead: int = 0
    # Categories whose drain itself failed (a locked database at the claim or while
    # recording an outcome): their rows wait for the next pass, untouched.
    errors: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


def _due(*, category: str, now: dt.datetime, force: bool):
    due = OutboxMessage.objects.filter(category=category, state=OutboxState.PENDING)
    if not force:
        due = due.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return due


def _claim(*, consumer: Consumer, now: dt.datetime, force: bool) -> list[OutboxMessage]:
    """Lease a batch of due rows: they stay pending but are not due again for
    `LEASE_SECONDS`, so another worker skips them and a crash only delays them."""
    with transaction.atomic():
        rows = list(_due(category=consumer.category, now=now, force=force)
                    .select_for_update(skip_locked=True).order_by("id")[:consumer.batch_size])
        if rows:
            OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS))
    return rows


def _drain_batch(*, consumer: Consumer, now: dt.datetime, force: bool,
                 report: DrainReport, timeout: float | None = None) -> int:
    # The handler runs outside any transaction of ours: it may talk to a search node
    # or a peer for seconds, and must not hold database locks meanwhile.
    rows = _claim(consumer=consumer, now=now, force=force)
    if not rows:
        return 0
    newest: dict[int, OutboxMessage] = {}
    for row in rows:
        newest[row.object_id if consumer.coalesce else row.pk] = row
    try:
        with deadline(timeout, what=f"outbox handler {consumer.category}"):
            consumer.handle(list(newest.values()))
    except Exception as error:  # noqa: BLE001 - every failure is retried or dead-lettered
        _failed(consumer=consumer, rows=rows, error=error, now=now, report=report)
        return 0
    handled = OutboxMessage.objects.filter(category=consumer.category,
                                           state=OutboxState.PENDING)
    if consumer.coalesce:
        # Older rows of the same objects, claimed or not, are superseded by what ran.
        handled = handled.filter(object_id__in=list(newest), id__lte=max(row.pk for row in rows))
    else:
        handled = handled.filter(pk__in=[row.pk for row in rows])
    done = handled.update(state=OutboxState.DONE, done_at=timezone.now())
    report.done += done
    report.by_category[consumer.category] = report.by_category.get(consumer.category, 0) + done
    return done


def _failed(*, consumer: Consumer, rows: list[OutboxMessage], error: Exception,
            now: dt.datetime, report: DrainReport) -> None:
    retry_after = getattr(error, "retry_after", None)
    if not isinstance(error, RetryLater):
        logger.exception("outbox: %s handler failed", consumer.category, exc_info=error)
    for row in rows:
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        if consumer.max_attempts is not None and row.attempts >= consumer.max_attempts:
            row.state, row.done_at = OutboxState.DEAD, now
            report.dead += 1
        else:
            row.next_attempt_at = now + dt.timedelta(
                seconds=backoff_seconds(row.attempts, retry_after=retry_after))
            report.failed += 1
    OutboxMessage.objects.bulk_update(
        rows, ["attempts", "last_error", "state", "done_at", "next_attempt_at"])
    logger.warning("outbox: %d %s rows retried later or dead: %s", len(rows),
                   consumer.category, error)


def outbox_drain(*, categories: Iterable[str] | None = None, force: bool = False,
                 max_batches: int = 1000, timeout: float | None = None) -> DrainReport:
    """Run the handlers of due rows, category by category, batch by batch; a category
    whose batch failed waits for its backoff. `force` ignores the backoff (CLI, tests);
    `timeout` stops a handler running longer (deadline.py), a failure like any other.
    A category whose drain fails outside its handler (a locked database) is logged and
    counted in `errors`; the next categories are drained all the same."""
    report = DrainReport()
    for category in (list(categories) if categories is not None else list(_consumers)):
        consumer = _consumers[category]
        try:
            _drain_category(consumer=consumer, force=force, max_batches=max_batches,
                            timeout=timeout, report=report)
        except Exception:  # noqa: BLE001 - one category must not starve the others
            logger.exception("outbox: draining %s failed; its rows wait for the next pass",
                             category)
            report.errors += 1
    return report


def _drain_category(*, consumer: Consumer, force: bool, max_batches: int,
                    timeout: float | None, report: DrainReport) -> None:
    for _batch in range(max_batches):
        failed_before = report.failed + report.dead
        if not _drain_batch(consumer=consumer, now=timezone.now(), force=force,
                            report=report, timeout=timeout):
            break
        if report.failed + report.dead > failed_before:
            break


def outbox_due_categories() -> list[str]:
    """Categories with work due now: one query, what the idle worker asks each tick."""
    now = timezone.now()
    return sorted(set(OutboxMessage.objects.filter(state=OutboxState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("category", flat=True).distinct()))


def outbox_pending(*, category: str) -> int:
    return OutboxMessage.objects.filter(category=category, state=OutboxState.PENDING).count()


def outbox_retry(*, ids: Iterable[int] | None = None, category: str | None = None) -> int:
    """Put dead-lettered rows back in the queue, due now; return how many."""
    rows = OutboxMessage.objects.filter(state=OutboxState.DEAD)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    if category:
        rows = rows.filter(category=category)
    return rows.update(state=OutboxState.PENDING, next_attempt_at=None, done_at=None)


def outbox_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete done and dead rows past their category's retention; return how many."""
    now = now or timezone.now()
    deleted = 0
    for consumer in _consumers.values():
        for state, retention in ((OutboxState.DONE, consumer.done_retention),
                                 (OutboxState.DEAD, consumer.dead_retention)):
            count, _by_model = OutboxMessage.objects.filter(
                category=consumer.category, state=state, done_at__lt=now - retention).delete()
            deleted += count
    return deleted

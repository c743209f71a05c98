"""One pass of federation work; run by the federation_drain task and the benchmarks."""

from __future__ import annotations

import logging
import threading
import time

from django.db import transaction

MAX_SECONDS = 30.0
# At most one drain enqueued per process per this many seconds: a running drain loops
# until nothing is due, and run_worker enqueues one every FEDERATION_DRAIN_INTERVAL,
# so a burst of 1,000 inbox POSTs costs one task row, not 1,000.
ENQUEUE_EVERY_SECONDS = 0.5
_last_enqueue = {"at": 0.0}
_enqueue_lock = threading.Lock()
logger = logging.getLogger(__name__)


def drain_enqueue_on_commit() -> None:
    """Ask a worker to drain once the current transaction commits."""
    transaction.on_commit(_drain_enqueue)


def _drain_enqueue() -> None:
    from federation import tasks

    with _enqueue_lock:
        now = time.monotonic()
        if now - _last_enqueue["at"] < ENQUEUE_EVERY_SECONDS:
            return
        _last_enqueue["at"] = now
    try:
        tasks.federation_drain.enqueue()
    except Exception:  # noqa: BLE001 - the periodic drain catches up
        logger.exception("could not enqueue the federation drain")


def fan_out_pending() -> int:
    from federation.models import OutboxActivity

    from .outbox import fan_out

    count = 0
    for activity in OutboxActivity.objects.filter(fanned_out=False).order_by("pk")[:100]:
        count += fan_out(activity=activity)
    return count


def drain(*, max_seconds: float = MAX_SECONDS) -> dict[str, int]:
    """Loop until nothing is due (or max_seconds passed): inbox first, then deliveries."""
    from .delivery import deliveries_run
    from .inbox import inbox_run

    totals = {"fanned_out": 0, "delivered": 0, "inbox": 0}
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        inbox = inbox_run()
        fanned = fan_out_pending()
        sent = deliveries_run()
        totals["inbox"] += inbox
        totals["fanned_out"] += fanned
        totals["delivered"] += sent
        if not (inbox or fanned or sent):
            break
    return totals

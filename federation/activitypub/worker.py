"""One pass of federation work: run by the worker loop and the benchmarks.

`drain_enqueue_on_commit()` asks for a pass with a "federation" row in the publishing
outbox (rows coalesce: a burst of 1,000 inbox POSTs costs one pass); the worker loop's
periodic "federation.drain" job catches delivery retries as they fall due.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction

from cms.publishing.outbox import outbox_append, outbox_drain

MAX_SECONDS = 30.0
FEDERATION = "federation"
ACTIVITYPUB = "activitypub"
ADMIN_INDEX = "federation.admin_index"
logger = logging.getLogger(__name__)


def drain_enqueue_on_commit() -> None:
    """Ask the worker for a federation pass once the current transaction commits.

    After the commit, not in it: the inbox view's transaction stays one SELECT and one
    INSERT. A process that dies in between loses only the wake-up: the periodic
    "federation.drain" job finds the stored rows within FEDERATION_DRAIN_INTERVAL."""
    transaction.on_commit(_drain_enqueue)


def _drain_enqueue() -> None:
    try:
        outbox_append(category=FEDERATION)
    except Exception:  # noqa: BLE001 - the periodic job catches up
        logger.exception("could not ask for a federation pass")


def fan_out_pending() -> int:
    from federation.models import OutboxActivity

    from .outbox import fan_out

    count = 0
    for activity in OutboxActivity.objects.filter(fanned_out=False).order_by("pk")[:100]:
        count += fan_out(activity=activity)
    return count


def drain(*, max_seconds: float = MAX_SECONDS) -> dict[str, int]:
    """Loop until nothing is due (or max_seconds passed): published pages become
    activities, then the inbox, fan-out and deliveries."""
    from .delivery import deliveries_run
    from .inbox_messages import inbox_run

    totals = {"fanned_out": 0, "delivered": 0, "inbox": 0}
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        outbox_drain(categories=[ACTIVITYPUB])
        inbox = inbox_run()
        fanned = fan_out_pending()
        sent = deliveries_run()
        totals["inbox"] += inbox
        totals["fanned_out"] += fanned
        totals["delivered"] += sent
        if not (inbox or fanned or sent):
            break
    return totals

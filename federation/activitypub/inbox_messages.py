"""Stored inbox messages through their states: received, then processed, ignored or
failed; a failed message is retried with backoff until its deadline.

`handle_received()` and `handle_failed()` apply one message; `inbox_run()` claims the
due ones for a worker.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cms.publishing.outbox import backoff_seconds

from .inbox_activities import HANDLERS
from .remote import remote_actor_fetch
from .wire import parse

logger = logging.getLogger(__name__)


def handle_received(message) -> str:
    """Apply one stored activity; move the message to processed, ignored or failed."""
    from federation.models import RemoteActor

    try:
        activity = parse(message.body)
        remote_actor = RemoteActor.objects.filter(url=activity.actor).first()
        if remote_actor is None:
            remote_actor = remote_actor_fetch(url=activity.actor)
        handler = HANDLERS.get(activity.type)
        outcome = handler(activity, remote_actor) if handler else "ignored: unsupported type"
    except Exception as error:  # noqa: BLE001 - kept for a retry, then visible in the admin
        logger.exception("inbox message %s failed", message.pk)
        message_failed(message, error)
        message.save()
        return message.state
    message_outcome(message, outcome)
    message.save()
    return message.state


def message_failed(message, error: BaseException) -> None:
    """Move a message to failed, to be retried with backoff (not saved)."""
    from federation.models import InboxState

    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.transition(InboxState.FAILED)
    message.next_attempt_at = timezone.now() + dt.timedelta(seconds=backoff_seconds(
        message.attempts, base=120.0, maximum=settings.FEDERATION_RETRY_MAX_SECONDS))


def message_outcome(message, outcome: str) -> None:
    """Move a message to processed, or ignored with the reason (not saved)."""
    from federation.models import InboxState

    if outcome == "processed":
        message.transition(InboxState.PROCESSED)
    else:
        message.last_error = outcome
        message.transition(InboxState.IGNORED)


def handle_failed(message) -> str:
    from federation.models import InboxState

    if message.deadline and timezone.now() > message.deadline or message.attempts >= 6:
        # Given up: stays failed (visible in the admin), never claimed again.
        message.next_attempt_at = timezone.now() + dt.timedelta(days=3650)
        message.save(update_fields=["next_attempt_at"])
        return message.state
    message.transition(InboxState.RECEIVED)
    message.save()
    return handle_received(message)


def inbox_run(*, limit: int = 200) -> int:
    """Apply due inbox messages, oldest first; return how many were handled.

    Claimed with row locks and a two-minute lease (two workers never take the same
    message), then applied in batches (inbox_batch.py) unless FEDERATION_INBOX_BULK
    is off, which keeps the one-by-one path (benchmarks compare the two).
    """
    from django.db import connection

    from federation.models import InboxMessage, InboxState

    now = timezone.now()
    with transaction.atomic():
        due = InboxMessage.objects.filter(state__in=[InboxState.RECEIVED, InboxState.FAILED],
                                          next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("received_at", "pk").values_list("pk", flat=True)[:limit])
        InboxMessage.objects.filter(pk__in=ids).update(
            next_attempt_at=now + dt.timedelta(seconds=120))
    messages = list(InboxMessage.objects.filter(pk__in=ids).order_by("received_at", "pk"))
    if settings.FEDERATION_INBOX_BULK:
        from .inbox_batch import inbox_apply_batch

        inbox_apply_batch(messages)
        return len(ids)
    for message in messages:
        if message.state == InboxState.RECEIVED:
            handle_received(message)
        else:
            handle_failed(message)
    return len(ids)

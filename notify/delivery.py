"""Sending deliveries: claim due rows, render the item as it is now, send, record.

The Delivery row is the idempotency key: a row is claimed with a lease (SELECT … FOR
UPDATE SKIP LOCKED on PostgreSQL), sent, then marked sent; a worker that crashes in
between leaves it pending, and it is sent once more after the lease (at least once:
a message cannot be unsent, but nothing is lost and nothing already recorded as sent
goes again). Failures wait `backoff_seconds` (the outbox's one retry policy) and stop
after NOTIFY_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.publishing.outbox import backoff_seconds
from cms.readmodel.models import PublishedItem

from .channels.base import ChannelBackend, Outgoing, Result
from .models import Channel, Delivery, DeliveryState

logger = logging.getLogger(__name__)

LEASE_SECONDS = 300


def channel_backend(name: str) -> ChannelBackend | None:
    """The configured sender of a channel (None: the channel is not configured)."""
    if name == Channel.EMAIL:
        from .channels.email import EmailChannel

        return EmailChannel()
    if name == Channel.PUSH:
        from .channels.push import push_channel

        return push_channel()
    if name == Channel.SMS:
        from .channels.sms import sms_channel

        return sms_channel()
    return None


def _due(*, channel: str, now: dt.datetime, keys: list | None):
    due = Delivery.objects.filter(channel=channel, state=DeliveryState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    if keys is not None:
        due = due.filter(translation_key__in=keys)
    return due


def _claim(*, channel: str, now: dt.datetime, keys: list | None, size: int) -> list[Delivery]:
    with transaction.atomic():
        batch = list(_due(channel=channel, now=now, keys=keys).select_for_update(
            skip_locked=True, of=("self",)).select_related("subscriber").order_by("id")[:size])
        if batch:
            Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
                next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS))
    return batch


def items_current(keys: Iterable) -> dict[tuple, PublishedItem]:
    """The live items of these translation keys: (key, locale) -> item, and (key, None)
    -> the source-locale one (the fallback of an untranslated item)."""
    found: dict[tuple, PublishedItem] = {}
    for item in (PublishedItem.objects.filter(translation_key__in=set(keys))
                 .select_related("commune").order_by("page_id")):
        found[(item.translation_key, item.locale)] = item
        found.setdefault((item.translation_key, None), item)
    return found


def item_for(items: dict[tuple, PublishedItem], key, language: str) -> PublishedItem | None:
    return items.get((key, language)) or items.get((key, None))


def deliveries_send(*, keys: list | None = None, channels: Iterable[str] | None = None,
                    max_batches: int = 1000) -> Counter:
    """Send the due deliveries (of these items only, when `keys` is given); return
    counts by outcome."""
    report: Counter = Counter()
    for channel in channels or Channel.values:
        backend = channel_backend(channel)
        if backend is None:
            continue
        for _batch in range(max_batches):
            now = timezone.now()
            batch = _claim(channel=channel, now=now, keys=keys, size=backend.batch_size)
            if not batch:
                break
            _send_batch(backend=backend, batch=batch, now=now, report=report)
    return report


def _send_batch(*, backend: ChannelBackend, batch: list[Delivery], now: dt.datetime,
                report: Counter) -> None:
    items = items_current(delivery.translation_key for delivery in batch)
    outgoing, gone = [], []
    for delivery in batch:
        item = item_for(items, delivery.translation_key, delivery.subscriber.language)
        (outgoing.append(Outgoing(delivery=delivery, item=item)) if item is not None
         else gone.append(delivery.pk))
    if gone:
        Delivery.objects.filter(pk__in=gone).update(state=DeliveryState.CANCELLED,
                                                    last_error="withdrawn")
        report["cancelled"] += len(gone)
    if not outgoing:
        return
    try:
        results = backend.send(outgoing)
    except Exception as error:  # noqa: BLE001 - the batch is retried with backoff
        logger.warning("notify: %s batch failed: %s", backend.name, error)
        results = [Result(sent=False, error=f"{type(error).__name__}: {error}")] * len(outgoing)
    deliveries_record(pairs=[(o.delivery, r) for o, r in zip(outgoing, results, strict=True)],
                      now=now, report=report)


def deliveries_record(*, pairs: list[tuple[Delivery, Result]], now: dt.datetime,
                      report: Counter) -> None:
    sent_ids = [delivery.pk for delivery, result in pairs if result.sent]
    if sent_ids:
        Delivery.objects.filter(pk__in=sent_ids).update(
            state=DeliveryState.SENT, sent_at=timezone.now(), next_attempt_at=None,
            last_error="")
        report["sent"] += len(sent_ids)
    failed = []
    for delivery, result in pairs:
        if result.sent:
            continue
        delivery.attempts += 1
        delivery.last_error = result.error[:500]
        if result.permanent or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            report["failed"] += 1
        else:
            delivery.next_attempt_at = now + dt.timedelta(
                seconds=backoff_seconds(delivery.attempts, jitter=True))
            report["retry"] += 1
        failed.append(delivery)
    if failed:
        Delivery.objects.bulk_update(failed, ["attempts", "last_error", "state",
                                              "next_attempt_at"])


def deliveries_retry(*, translation_key, channel: str | None = None) -> int:
    """Queue an item's failed deliveries again, due now (the communicator's "resend")."""
    failed = Delivery.objects.filter(translation_key=translation_key,
                                     state=DeliveryState.FAILED)
    if channel:
        failed = failed.filter(channel=channel)
    return failed.update(state=DeliveryState.PENDING, next_attempt_at=None, attempts=0)


def deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete delivery logs past NOTIFY_DELIVERY_RETENTION_DAYS (declared retention)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.NOTIFY_DELIVERY_RETENTION_DAYS)
    deleted, _by_model = Delivery.objects.filter(
        Q(created_at__lt=cutoff) & ~Q(state__in=(DeliveryState.PENDING,
                                                DeliveryState.DIGEST))).delete()
    return deleted

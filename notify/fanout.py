"""The pipeline's consumer: who is told about a published item, on which channel.

In the publishing transaction (an observer of cms.publishing.services) a published
alert, news item or event appends one row of the `notify` outbox category; the worker
hands the rows to `rows_fan_out`, which writes one Delivery per subscriber, channel and
item (unique: the idempotency key of the send) and sends the urgent ones at once.
Running it twice writes nothing twice. What a message says is read when it is sent
(delivery.py), so an item updated before delivery goes out in its latest version, and
one withdrawn before delivery does not go out at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from itertools import islice

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from wagtail.models import Page

from cms.content.kinds import kind_of_page
from cms.content.models.alerts import AlertSeverity
from cms.publishing.models import OutboxMessage
from cms.publishing.outbox import outbox_append
from cms.readmodel.models import PUBLIC_STATES, Audience, PublishedItem, PublishedItemCategory

from .models import AlertChoice, Channel, Delivery, DeliveryState, PushSubscription, Subscriber

NOTIFY = "notify"
KINDS = ("alert", "news", "event")
BULK_SIZE = 2000


def pages_published(pages: Sequence[Page]) -> None:
    """Observer: ask for the fan-out of the published items residents subscribe to."""
    ids = [page.pk for page in pages
           if (kind := kind_of_page(page)) is not None and kind.name in KINDS]
    if ids:
        outbox_append(category=NOTIFY, object_ids=ids)


def items_audience_changed(page_ids: list[int]) -> None:
    """Observer: an item a neighbour accepted after it was published reaches that
    neighbour's subscribers (the fan-out writes nothing twice: who was told is not told
    again)."""
    ids = list(PublishedItem.objects.filter(page_id__in=page_ids, kind__in=KINDS)
               .values_list("page_id", flat=True))
    if ids:
        outbox_append(category=NOTIFY, object_ids=ids)


def pages_removed(pages: Sequence[Page]) -> None:
    """Observer: an item withdrawn before delivery is not delivered."""
    keys = {page.translation_key for page in pages}
    gone = keys - set(PublishedItem.objects.filter(translation_key__in=keys)
                      .values_list("translation_key", flat=True))
    if gone:
        Delivery.objects.filter(translation_key__in=gone, state__in=(
            DeliveryState.PENDING, DeliveryState.DIGEST)).update(
                state=DeliveryState.CANCELLED, last_error="withdrawn")


def is_urgent(item: PublishedItem) -> bool:
    return item.kind == "alert" and item.severity == AlertSeverity.URGENT


def rows_fan_out(rows: list[OutboxMessage]) -> None:
    """Outbox handler: the deliveries of these pages' items, then the urgent sends."""
    from .delivery import deliveries_send

    items = {}
    for item in (PublishedItem.objects.filter(page_id__in=[row.object_id for row in rows],
                                              kind__in=KINDS)
                 .select_related("page").order_by("page_id")):
        items.setdefault(item.translation_key, item)
    fresh_since = timezone.now() - dt.timedelta(hours=settings.NOTIFY_FANOUT_MAX_AGE_HOURS)
    urgent_keys = []
    for key, item in items.items():
        first = item.page.first_published_at
        if first is not None and first < fresh_since:
            continue  # an old item edited: its readers were told when it was new
        # In chunks: bulk_create would hold every subscriber's row in memory at once.
        deliveries, written = _deliveries(item), 0
        while chunk := list(islice(deliveries, BULK_SIZE)):
            written += len(Delivery.objects.bulk_create(chunk, ignore_conflicts=True))
        if written and is_urgent(item):
            urgent_keys.append(key)
    if urgent_keys:
        deliveries_send(keys=urgent_keys)


def item_communes(translation_key) -> list[int]:
    """The communes an item is public in (its own, and where neighbours accepted it:
    the sharing rules' Audience rows)."""
    return list(Audience.objects.filter(translation_key=translation_key,
                                        state__in=PUBLIC_STATES)
                .values_list("commune_id", flat=True))


def audience_subscribers(item: PublishedItem):
    """The subscribers an item concerns, by commune and topic (a queryset)."""
    subscribers = Subscriber.objects.filter(communes__in=item_communes(item.translation_key))
    if item.kind == "alert":
        wanted = ([AlertChoice.URGENT, AlertChoice.ALL] if is_urgent(item)
                  else [AlertChoice.ALL])
        subscribers = subscribers.filter(alerts__in=wanted)
    else:
        subscribers = subscribers.filter(**{"news" if item.kind == "news" else "events": True})
    return subscribers.distinct().annotate(
        has_push=Exists(PushSubscription.objects.filter(subscriber=OuterRef("pk"))))


def _deliveries(item: PublishedItem) -> Iterator[Delivery]:
    urgent = is_urgent(item)
    categories = set(PublishedItemCategory.objects.filter(item=item)
                     .values_list("slug", flat=True))
    rows = audience_subscribers(item).values_list(
        "pk", "categories", "email", "email_confirmed_at", "phone", "phone_confirmed_at",
        "has_push")
    for pk, wanted, email, email_ok, phone, phone_ok, has_push in rows.iterator(
            chunk_size=BULK_SIZE):
        if not urgent and wanted and not categories.intersection(wanted):
            continue
        common = {"subscriber_id": pk, "translation_key": item.translation_key,
                  "kind": item.kind, "urgent": urgent, "origin_id": item.commune_id}
        if email and email_ok:
            yield Delivery(channel=Channel.EMAIL, **common, state=(
                DeliveryState.PENDING if urgent else DeliveryState.DIGEST))
        if has_push and item.kind == "alert":
            yield Delivery(channel=Channel.PUSH, **common)
        if urgent and phone and phone_ok:
            yield Delivery(channel=Channel.SMS, **common)

"""Reads for the communicator: reach per channel, delivery counts, failures (masked)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef

from cms.content.models.alerts import AlertSeverity

from .models import AlertChoice, Channel, Delivery, DeliveryState, PushSubscription, Subscriber
from .privacy import mask_email, mask_phone


@dataclass(frozen=True)
class Reach:
    email: int
    push: int
    sms: int


def alert_reach(*, commune_ids: list[int], severity: int) -> Reach:
    """How many subscribers each channel reaches for an alert of this severity in
    these communes (SMS: urgent alerts only)."""
    urgent = severity == AlertSeverity.URGENT
    wanted = [AlertChoice.URGENT, AlertChoice.ALL] if urgent else [AlertChoice.ALL]
    subscribers = (Subscriber.objects.filter(communes__in=commune_ids, alerts__in=wanted)
                   .distinct())
    return Reach(
        email=subscribers.filter(email_confirmed_at__isnull=False).exclude(email="").count(),
        push=subscribers.filter(Exists(PushSubscription.objects.filter(
            subscriber=OuterRef("pk")))).count(),
        sms=(subscribers.filter(phone_confirmed_at__isnull=False).exclude(phone="").count()
             if urgent else 0))


def delivery_counts(*, translation_key) -> dict[str, Counter]:
    """channel -> Counter(state -> count) of an item's deliveries."""
    counts: dict[str, Counter] = {channel: Counter() for channel in Channel.values}
    for channel, state, count in (Delivery.objects.filter(translation_key=translation_key)
                                  .values_list("channel", "state")
                                  .annotate(count=Count("id"))):
        counts[channel][state] = count
    return counts


def delivery_failures(*, translation_key, limit: int = 50) -> list[dict]:
    """The failed deliveries of an item, each address masked."""
    rows = (Delivery.objects.filter(translation_key=translation_key,
                                    state=DeliveryState.FAILED)
            .select_related("subscriber").order_by("-id")[:limit])
    return [{"channel": row.channel, "attempts": row.attempts,
             "error": _scrubbed(row.last_error, row.subscriber),
             "to": (mask_phone(row.subscriber.phone) if row.channel == Channel.SMS
                    else mask_email(row.subscriber.email) if row.channel == Channel.EMAIL
                    else f"{row.subscriber.push_subscriptions.count()} ×")}
            for row in rows]


def _scrubbed(error: str, subscriber: Subscriber) -> str:
    """An error as the admin shows it: without the address or number it may quote."""
    for secret, masked in ((subscriber.email, mask_email(subscriber.email)),
                           (subscriber.phone, mask_phone(subscriber.phone))):
        if secret:
            error = error.replace(secret, masked)
    return error

"""SMS for urgent alerts: a provider interface, OVHcloud's HTTP API implemented.

A provider sends one text to some numbers and says which numbers it refused. The
channel groups a batch by text (one API call for every subscriber of an alert in one
language), and spends the monthly budget of the alert's commune first
(NOTIFY_SMS_MONTHLY_CAP; a conditional UPDATE, so two workers cannot overspend it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..models import SmsUsage
from .base import SENT, ChannelBackend, Outgoing, Result

MAX_LENGTH = 300  # two SMS at most (GSM 7-bit: 153 characters a part)


class SmsError(Exception):
    pass


@dataclass
class SmsOutcome:
    refused: set[str] = field(default_factory=set)  # numbers the provider refused


class SmsProvider:
    """Send `text` to `numbers` (E.164); raise SmsError when the call failed as a whole."""

    name = ""

    def send(self, *, numbers: list[str], text: str) -> SmsOutcome:
        raise NotImplementedError


def sms_provider() -> SmsProvider | None:
    if settings.NOTIFY_SMS_PROVIDER == "ovh":
        from .ovh import OvhSmsProvider

        return OvhSmsProvider(**{key.lower(): value for key, value
                                 in settings.NOTIFY_SMS_OVH.items()})
    return None


def sms_channel() -> ChannelBackend | None:
    provider = sms_provider()
    return SmsChannel(provider) if provider is not None else None


def month_start(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now()).replace(day=1)


def sms_budget_take(*, commune_id: int, count: int) -> bool:
    """Spend `count` SMS of a commune's month if the cap allows it."""
    month = month_start()
    SmsUsage.objects.get_or_create(commune_id=commune_id, month=month)
    return bool(SmsUsage.objects.filter(
        commune_id=commune_id, month=month,
        sent__lte=settings.NOTIFY_SMS_MONTHLY_CAP - count).update(sent=F("sent") + count))


def sms_budget_give_back(*, commune_id: int, count: int) -> None:
    SmsUsage.objects.filter(commune_id=commune_id, month=month_start(),
                            sent__gte=count).update(sent=F("sent") - count)


def sms_sent_this_month(*, commune_id: int) -> int:
    usage = SmsUsage.objects.filter(commune_id=commune_id, month=month_start()).first()
    return usage.sent if usage else 0


def sms_text(outgoing: Outgoing) -> str:
    item = outgoing.item
    with override(outgoing.delivery.subscriber.language):
        text = _("ALERTE %(commune)s : %(title)s %(url)s") % {
            "commune": item.origin_commune or item.commune.title, "title": item.title,
            "url": item.url}
    return text[:MAX_LENGTH]


class SmsChannel(ChannelBackend):
    name = "sms"
    batch_size = 500

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    def send(self, batch: list[Outgoing]) -> list[Result]:
        results: dict[int, Result] = {}
        groups: dict[tuple[int, str], list[Outgoing]] = defaultdict(list)
        for outgoing in batch:
            groups[(outgoing.delivery.origin_id, sms_text(outgoing))].append(outgoing)
        for (commune_id, text), group in groups.items():
            if not sms_budget_take(commune_id=commune_id, count=len(group)):
                for outgoing in group:
                    results[outgoing.delivery.pk] = Result(
                        sent=False, error="monthly SMS cap reached", permanent=True)
                continue
            numbers = [outgoing.delivery.subscriber.phone for outgoing in group]
            try:
                outcome = self.provider.send(numbers=numbers, text=text)
            except SmsError as error:
                sms_budget_give_back(commune_id=commune_id, count=len(group))
                for outgoing in group:
                    results[outgoing.delivery.pk] = Result(sent=False, error=str(error)[:500])
                continue
            if outcome.refused:
                sms_budget_give_back(commune_id=commune_id, count=len(
                    [n for n in numbers if n in outcome.refused]))
            for outgoing in group:
                refused = outgoing.delivery.subscriber.phone in outcome.refused
                results[outgoing.delivery.pk] = (
                    Result(sent=False, error="number refused by the provider", permanent=True)
                    if refused else SENT)
        return [results[outgoing.delivery.pk] for outgoing in batch]

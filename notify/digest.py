"""Daily and weekly digests: the non-urgent items waiting for each e-mail subscriber.

A periodic job (`notify.digests`, hourly): from NOTIFY_DIGEST_HOUR (local time) on,
each subscriber whose last digest is a day (a week) old gets one message listing the
items still live, in their language; the deliveries it lists are marked sent with it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import smtplib
from collections import Counter

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .delivery import item_for, items_current
from .mail import message_build
from .models import Channel, Delivery, DeliveryState, DigestFrequency, Subscriber

PERIOD = {DigestFrequency.DAILY: dt.timedelta(hours=23),
          DigestFrequency.WEEKLY: dt.timedelta(days=7, hours=-1)}


def _due_subscribers(now: dt.datetime):
    waiting = Subscriber.objects.filter(
        deliveries__channel=Channel.EMAIL, deliveries__state=DeliveryState.DIGEST,
        email_confirmed_at__isnull=False).distinct()
    for subscriber in waiting.iterator(chunk_size=500):
        last = subscriber.digest_sent_at
        if last is None or now - last >= PERIOD[subscriber.digest]:
            yield subscriber


def digests_send(*, now: dt.datetime | None = None) -> Counter:
    """Send the digests due now; return counts."""
    now = now or timezone.now()
    report: Counter = Counter()
    if timezone.localtime(now).hour < settings.NOTIFY_DIGEST_HOUR:
        return report
    due = _due_subscribers(now)
    first = next(due, None)
    if first is None:
        return report  # no connection to the mail server when there is nothing to send
    with get_connection(fail_silently=False) as connection:
        for subscriber in itertools.chain([first], due):
            _digest_send(subscriber=subscriber, now=now, connection=connection,
                         report=report)
    return report


def _digest_send(*, subscriber: Subscriber, now: dt.datetime, connection,
                 report: Counter) -> None:
    waiting = list(Delivery.objects.filter(subscriber=subscriber, channel=Channel.EMAIL,
                                           state=DeliveryState.DIGEST).order_by("created_at"))
    items = items_current(d.translation_key for d in waiting)
    listed = [(d, item) for d in waiting
              if (item := item_for(items, d.translation_key, subscriber.language))]
    gone = [d.pk for d in waiting if d not in {pair[0] for pair in listed}]
    Delivery.objects.filter(pk__in=gone).update(state=DeliveryState.CANCELLED,
                                                last_error="withdrawn")
    if not listed:
        return
    groups = {kind: [item for d, item in listed if d.kind == kind]
              for kind in ("alert", "news", "event")}
    with override(subscriber.language):
        subject = (_("Votre résumé du jour") if subscriber.digest == DigestFrequency.DAILY
                   else _("Votre résumé de la semaine"))
        message = message_build(subscriber=subscriber, subject=str(subject),
                                template="digest",
                                context={"alerts": groups["alert"], "news": groups["news"],
                                         "events": groups["event"]})
    try:
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        # The deliveries stay waiting: the next run tries again.
        Delivery.objects.filter(pk__in=[d.pk for d, _item in listed]).update(
            last_error=f"{type(error).__name__}: {error}"[:500])
        report["failed"] += 1
        return
    with transaction.atomic():
        Delivery.objects.filter(pk__in=[d.pk for d, _item in listed]).update(
            state=DeliveryState.SENT, sent_at=timezone.now())
        Subscriber.objects.filter(pk=subscriber.pk).update(digest_sent_at=now)
    report["sent"] += 1
    report["items"] += len(listed)

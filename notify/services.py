"""Subscriptions: sign up, confirm, change, cancel, export and delete (no account).

Nothing here tells a visitor whether an address is already subscribed: signing up an
address that is known sends its owner a link to manage what they chose, and the
visitor sees the same answer either way.

No request waits for a mail server or an SMS provider: the confirmation e-mail or code
is a row of the `notify.confirm` outbox category, written in the sign-up's transaction
and sent by the worker (`confirmations_send`), with the outbox's retries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cms.communes.models import CommuneHomePage
from cms.core.ratelimit import rate_limit_hit
from cms.publishing.outbox import outbox_append

from . import links
from .mail import message_build
from .models import AlertChoice, Delivery, PushSubscription, Subscriber

MAIL_SCOPE = "notify.mail"
CONFIRM = "notify.confirm"


@dataclass
class Choices:
    """What and how a resident chose (validated by forms.SubscriptionForm)."""

    communes: list[CommuneHomePage]
    alerts: str = AlertChoice.URGENT
    news: bool = False
    events: bool = False
    categories: list[str] = field(default_factory=list)
    digest: str = "daily"
    language: str = "fr"


def _choices_apply(subscriber: Subscriber, choices: Choices) -> None:
    subscriber.alerts, subscriber.news, subscriber.events = (
        choices.alerts, choices.news, choices.events)
    subscriber.categories = sorted(set(choices.categories))
    subscriber.digest, subscriber.language = choices.digest, choices.language
    subscriber.save()
    subscriber.communes.set(choices.communes)


def _address_key(email: str) -> str:
    # The rate-limit bucket of an address, without the address in the cache's keys.
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _mail_allowed(email: str) -> bool:
    """At most NOTIFY_MAILS_PER_ADDRESS_PER_DAY sign-up mails to one address: a form
    must not become a way to flood someone's inbox."""
    return rate_limit_hit(scope=MAIL_SCOPE, who=_address_key(email),
                          limit=settings.NOTIFY_MAILS_PER_ADDRESS_PER_DAY,
                          window_seconds=86400).allowed


def subscription_request(*, email: str, choices: Choices) -> None:
    """Sign up an address: a new one gets a confirmation link (double opt-in); a known
    one, a link to its settings. Nothing is sent to a subscriber before confirming."""
    email = email.strip().lower()
    existing = Subscriber.objects.filter(email=email).first()
    if not _mail_allowed(email):
        return
    with transaction.atomic():
        if existing is not None and existing.email_confirmed_at:
            _confirmation_enqueue(existing, template="known")
            return
        subscriber = existing or Subscriber(email=email)
        _choices_apply(subscriber, choices)
        _confirmation_enqueue(subscriber, template="confirm")


def _confirmation_enqueue(subscriber: Subscriber, **payload: str) -> None:
    outbox_append(category=CONFIRM, object_ids=[subscriber.pk], payload=payload)


_MAILS = {
    # template: (subject, context of the subscriber, with an unsubscribe link)
    "confirm": (lambda: _("Confirmez votre abonnement"),
                lambda subscriber: {"confirm_url": links.confirm_url(subscriber)}, False),
    "known": (lambda: _("Vos abonnements"), lambda subscriber: {}, True),
}


def confirmations_send(rows) -> None:
    """Outbox handler (`notify.confirm`): the confirmation e-mails and SMS codes of
    sign-ups, each row once; a subscriber deleted since is skipped. A mail server or
    provider that fails raises: the rows are retried with the outbox's backoff."""
    from django.core.mail import get_connection

    from cms.publishing.models import OutboxMessage

    subscribers = Subscriber.objects.in_bulk([row.object_id for row in rows])
    messages, texts = [], []
    for row in rows:
        subscriber = subscribers.get(row.object_id)
        if subscriber is None:
            continue
        if row.payload.get("sms_code"):
            texts.append((subscriber, row))
        elif row.payload.get("template") in _MAILS:
            subject, context, unsubscribe = _MAILS[row.payload["template"]]
            with override(subscriber.language):
                messages.append(message_build(
                    subscriber=subscriber, subject=str(subject()),
                    template=row.payload["template"], context=context(subscriber),
                    unsubscribe=unsubscribe))
    if messages:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages(messages)
    for subscriber, row in texts:
        _code_send(subscriber, code=row.payload["sms_code"])
        # The code is kept hashed on the subscriber only, not in the outbox's log.
        OutboxMessage.objects.filter(pk=row.pk).update(payload={"sms_code": ""})


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.email_confirmed_at is None:
        subscriber.email_confirmed_at = timezone.now()
        subscriber.save(update_fields=["email_confirmed_at"])
    return subscriber


def subscriber_update(*, subscriber: Subscriber, choices: Choices) -> Subscriber:
    with transaction.atomic():
        _choices_apply(subscriber, choices)
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> None:
    """Stop everything: no more messages on any channel; the choices are forgotten
    with the subscriber (nothing is kept that could reach them again)."""
    subscriber_delete(subscriber=subscriber)


@transaction.atomic
def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Erase the subscriber, their push subscriptions and their delivery log."""
    subscriber.delete()


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything stored about a subscriber (RGPD art. 15 and 20), as JSON."""
    return {
        "email": subscriber.email,
        "email_confirmed_at": _iso(subscriber.email_confirmed_at),
        "phone": subscriber.phone,
        "phone_confirmed_at": _iso(subscriber.phone_confirmed_at),
        "language": subscriber.language,
        "communes": [{"insee_code": commune.insee_code, "name": commune.title}
                     for commune in subscriber.communes.order_by("title")],
        "alerts": subscriber.alerts, "news": subscriber.news, "events": subscriber.events,
        "categories": subscriber.categories, "digest": subscriber.digest,
        "created_at": _iso(subscriber.created_at),
        "push_subscriptions": [{"endpoint": push.endpoint,
                                "created_at": _iso(push.created_at)}
                               for push in subscriber.push_subscriptions.all()],
        "deliveries": [{"channel": delivery.channel, "item": str(delivery.translation_key),
                        "kind": delivery.kind, "state": delivery.state,
                        "created_at": _iso(delivery.created_at),
                        "sent_at": _iso(delivery.sent_at)}
                       for delivery in Delivery.objects.filter(subscriber=subscriber)
                       .order_by("created_at")],
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def push_subscribe(*, endpoint: str, p256dh: str, auth: str, choices: Choices,
                   subscriber: Subscriber | None = None) -> Subscriber:
    """A browser's push subscription, for a new subscriber or a known one (its manage
    link). A push subscription needs no opt-in: the browser asked its user."""
    existing = PushSubscription.objects.filter(endpoint=endpoint).first()
    if existing is not None and subscriber is None:
        # The same browser subscribing again: its choices, not a second subscriber.
        subscriber = existing.subscriber
    if subscriber is None:
        subscriber = Subscriber()
    _choices_apply(subscriber, choices)
    PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"subscriber": subscriber, "p256dh": p256dh,
                                     "auth": auth})
    return subscriber


def push_unsubscribe(*, endpoints: Iterable[str]) -> int:
    """Forget push subscriptions the push service said are gone (404, 410)."""
    deleted, _by_model = PushSubscription.objects.filter(endpoint__in=list(endpoints)).delete()
    # A subscriber left with no way to be reached is deleted too.
    Subscriber.objects.filter(email="", phone="", push_subscriptions__isnull=True).delete()
    return deleted


def unconfirmed_sweep() -> int:
    """Delete sign-ups never confirmed within NOTIFY_UNCONFIRMED_RETENTION_DAYS."""
    cutoff = timezone.now() - dt.timedelta(days=settings.NOTIFY_UNCONFIRMED_RETENTION_DAYS)
    _total, by_model = (Subscriber.objects.filter(
        created_at__lt=cutoff, email_confirmed_at__isnull=True,
        phone_confirmed_at__isnull=True, push_subscriptions__isnull=True).delete())
    return by_model.get(Subscriber._meta.label, 0)


SMS_CODE_SCOPE = "notify.sms.code"
SMS_CODE_TRIES_SCOPE = "notify.sms.tries"


class PhoneRefused(Exception):  # noqa: N818 (what the form shows)
    pass


def _code_hash(subscriber: Subscriber, code: str) -> str:
    return hashlib.sha256(f"{subscriber.pk}:{subscriber.link_nonce}:{code}".encode()).hexdigest()


def phone_request(*, subscriber: Subscriber, phone: str) -> None:
    """Send a confirmation code to a number (double opt-in): it receives alerts only
    once the code is typed back. At most NOTIFY_MAILS_PER_ADDRESS_PER_DAY codes a day
    per number."""
    from .channels.sms import sms_provider

    provider = sms_provider()
    if provider is None:
        raise PhoneRefused(_("Les SMS ne sont pas proposés ici."))
    if not rate_limit_hit(scope=SMS_CODE_SCOPE, who=_address_key(phone),
                          limit=settings.NOTIFY_MAILS_PER_ADDRESS_PER_DAY,
                          window_seconds=86400).allowed:
        raise PhoneRefused(_("Trop de codes envoyés à ce numéro aujourd'hui."))
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        subscriber.phone, subscriber.phone_confirmed_at = phone, None
        subscriber.phone_code_hash = _code_hash(subscriber, code)
        subscriber.save(update_fields=["phone", "phone_confirmed_at", "phone_code_hash"])
        _confirmation_enqueue(subscriber, sms_code=code)


def _code_send(subscriber: Subscriber, *, code: str) -> None:
    """Text a confirmation code (from the worker); a number the provider refuses is
    forgotten, the resident sees no number on their page and may type another."""
    from .channels.sms import sms_provider

    provider = sms_provider()
    if provider is None or not subscriber.phone or subscriber.phone_confirmed_at:
        return
    with override(subscriber.language):
        text = _("Votre code de confirmation Clocher : %(code)s") % {"code": code}
    outcome = provider.send(numbers=[subscriber.phone], text=text)  # SmsError: retried
    if subscriber.phone in outcome.refused:
        Subscriber.objects.filter(pk=subscriber.pk).update(phone="", phone_code_hash="")


def phone_confirm(*, subscriber: Subscriber, code: str) -> bool:
    """Confirm the number with the code it received; five wrong tries a day at most."""
    if not subscriber.phone or not subscriber.phone_code_hash:
        return False
    if not rate_limit_hit(scope=SMS_CODE_TRIES_SCOPE, who=str(subscriber.pk), limit=5,
                          window_seconds=86400).allowed:
        return False
    if not secrets.compare_digest(_code_hash(subscriber, code.strip()),
                                  subscriber.phone_code_hash):
        return False
    subscriber.phone_confirmed_at, subscriber.phone_code_hash = timezone.now(), ""
    subscriber.save(update_fields=["phone_confirmed_at", "phone_code_hash"])
    return True

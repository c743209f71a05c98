"""Signed links: confirm an address, manage or cancel a subscription, with no login.

Each link signs the subscriber's id with its `link_nonce` (Django's signing, keyed by
SECRET_KEY, one salt per purpose): a tampered link names nobody, and a new nonce (a
deletion, "send me new links") revokes every link sent before. The confirmation link
also signs the address it confirms and expires.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing

from .models import Subscriber

MANAGE_SALT = "notify.manage"
CONFIRM_SALT = "notify.confirm"
CONFIRM_MAX_AGE = dt.timedelta(days=7)


class BadLink(Exception):  # noqa: N818 (what the view answers: the link is not valid)
    pass


def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.link_nonce], salt=MANAGE_SALT,
                         compress=False)


def manage_subscriber(token: str) -> Subscriber:
    """The subscriber a manage link names; BadLink when tampered with or revoked."""
    try:
        pk, nonce = signing.loads(token, salt=MANAGE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink(str(error)) from None
    subscriber = Subscriber.objects.filter(pk=pk, link_nonce=nonce).first() if (
        isinstance(pk, int) and isinstance(nonce, str)) else None
    if subscriber is None:
        raise BadLink("no such subscriber")
    return subscriber


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.link_nonce, subscriber.email],
                         salt=CONFIRM_SALT, compress=False)


def confirm_subscriber(token: str) -> Subscriber:
    try:
        pk, nonce, email = signing.loads(token, salt=CONFIRM_SALT,
                                         max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink(str(error)) from None
    subscriber = Subscriber.objects.filter(pk=pk, link_nonce=nonce, email=email).first() if (
        isinstance(pk, int) and isinstance(nonce, str) and isinstance(email, str)) else None
    if subscriber is None or not email:
        raise BadLink("no such subscriber")
    return subscriber

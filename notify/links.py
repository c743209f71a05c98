"""Absolute links of messages (NOTIFY_BASE_URL): confirm, manage, unsubscribe."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from . import tokens
from .models import Subscriber


def absolute(path: str) -> str:
    return f"{settings.NOTIFY_BASE_URL}{path}"


def _reverse(name: str, token: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse(name, args=[token]))


def manage_url(subscriber: Subscriber) -> str:
    return _reverse("notify:manage", tokens.manage_token(subscriber), subscriber.language)


def unsubscribe_url(subscriber: Subscriber) -> str:
    return _reverse("notify:unsubscribe", tokens.manage_token(subscriber),
                    subscriber.language)


def confirm_url(subscriber: Subscriber) -> str:
    return _reverse("notify:confirm", tokens.confirm_token(subscriber), subscriber.language)

"""SMS for urgent alerts: a provider interface, OVHcloud's HTTP API implemented."""

from __future__ import annotations

from django.conf import settings

from .base import ChannelBackend


def sms_channel() -> ChannelBackend | None:
    if not settings.NOTIFY_SMS_PROVIDER:
        return None
    raise NotImplementedError  # item 5

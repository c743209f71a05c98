"""Web Push (RFC 8030) with VAPID (RFC 8292), payloads encrypted (RFC 8291): pywebpush."""

from __future__ import annotations

import json

from django.conf import settings

from .base import ChannelBackend, Outgoing, Result


def push_channel() -> ChannelBackend | None:
    if not (settings.NOTIFY_VAPID_PRIVATE_KEY and settings.NOTIFY_VAPID_PUBLIC_KEY):
        return None
    return PushChannel()


class PushChannel(ChannelBackend):
    name = "push"
    batch_size = 500

    def send(self, batch: list[Outgoing]) -> list[Result]:  # pragma: no cover - item 4
        raise NotImplementedError


def push_payload(outgoing: Outgoing) -> bytes:
    item = outgoing.item
    return json.dumps({"title": item.title, "body": (item.payload or {}).get("summary", ""),
                       "url": item.url, "tag": str(item.translation_key),
                       "urgent": outgoing.delivery.urgent}).encode()

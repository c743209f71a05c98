"""Web Push (RFC 8030) with VAPID (RFC 8292), payloads encrypted (RFC 8291): pywebpush.

A batch is sent by NOTIFY_PUSH_CONCURRENCY threads, each with its own HTTP session
(keep-alive), so the wait for one push service's answer overlaps the encryption and
the sending of the next messages; one VAPID signature per push service and batch (a
JWT valid for hours, not one ECDSA signature per message); the proxy environment is
read once per push service and batch, not on every request (requests does that
otherwise, and it was a third of the time per push: docs/benchmarks/notify.md). A
push service answering 404 or 410 says the subscription is gone: it is deleted.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPusher

from ..models import PushSubscription
from .base import SENT, ChannelBackend, Outgoing, Result

logger = logging.getLogger(__name__)

GONE = (404, 410)
JWT_LIFETIME = 12 * 3600
TIMEOUT = 10


def push_channel() -> ChannelBackend | None:
    if not (settings.NOTIFY_VAPID_PRIVATE_KEY and settings.NOTIFY_VAPID_PUBLIC_KEY):
        return None
    return PushChannel()


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def push_payload(outgoing: Outgoing) -> bytes:
    """What the service worker shows (static/notify/sw.js): title, text, the item's URL."""
    item = outgoing.item
    return json.dumps({"title": item.title, "body": (item.payload or {}).get("summary", ""),
                       "url": item.url, "tag": str(item.translation_key),
                       "urgent": outgoing.delivery.urgent}, ensure_ascii=False).encode()


class PushChannel(ChannelBackend):
    name = "push"
    batch_size = 500

    def __init__(self) -> None:
        self.vapid = Vapid.from_string(private_key=settings.NOTIFY_VAPID_PRIVATE_KEY)

    def _audiences(self, pushes) -> dict[str, tuple[dict, dict]]:
        """Per push service of the batch: its VAPID headers and its proxies."""
        found: dict[str, tuple[dict, dict]] = {}
        for push in pushes:
            audience = _audience(push.endpoint)
            if audience not in found:
                found[audience] = (
                    self.vapid.sign({"aud": audience, "exp": int(time.time()) + JWT_LIFETIME,
                                     "sub": settings.NOTIFY_VAPID_SUBJECT}),
                    requests.utils.get_environ_proxies(audience))
        return found

    def send(self, batch: list[Outgoing]) -> list[Result]:
        subscriber_ids = {outgoing.delivery.subscriber_id for outgoing in batch}
        endpoints: dict[int, list[PushSubscription]] = {}
        for push in PushSubscription.objects.filter(subscriber_id__in=subscriber_ids):
            endpoints.setdefault(push.subscriber_id, []).append(push)
        audiences = self._audiences(push for pushes in endpoints.values() for push in pushes)
        gone: list[str] = []
        local = threading.local()
        sessions: list[requests.Session] = []

        def send_one(outgoing: Outgoing) -> Result:
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
                session.trust_env = False  # the proxies are resolved once, above
                sessions.append(session)
            return self._send_one(outgoing, endpoints.get(outgoing.delivery.subscriber_id, []),
                                  session=session, audiences=audiences, gone=gone)

        try:
            with ThreadPoolExecutor(max_workers=settings.NOTIFY_PUSH_CONCURRENCY,
                                    thread_name_prefix="notify-push") as pool:
                results = list(pool.map(send_one, batch))
        finally:
            for session in sessions:
                session.close()
        if gone:
            from ..services import push_unsubscribe

            push_unsubscribe(endpoints=gone)
        return results

    def _send_one(self, outgoing: Outgoing, pushes: list[PushSubscription], *, session,
                  audiences: dict, gone: list[str]) -> Result:
        data = push_payload(outgoing)
        ttl = 24 * 3600 if outgoing.delivery.urgent else 4 * 3600
        errors, delivered = [], 0
        for push in pushes:
            info = {"endpoint": push.endpoint, "keys": {"p256dh": push.p256dh,
                                                        "auth": push.auth}}
            vapid_headers, session.proxies = audiences[_audience(push.endpoint)]
            headers = dict(vapid_headers)
            if outgoing.delivery.urgent:
                headers["Urgency"] = "high"  # RFC 8030 §5.3
            try:
                response = WebPusher(info, requests_session=session).send(
                    data, headers=headers, ttl=ttl, content_encoding="aes128gcm",
                    timeout=TIMEOUT)
            except (requests.RequestException, ValueError) as error:
                errors.append(f"{type(error).__name__}: {error}")
                continue
            if response.status_code in GONE:
                gone.append(push.endpoint)
            elif response.status_code >= 400:
                errors.append(f"{urlsplit(push.endpoint).netloc}: {response.status_code}")
            else:
                delivered += 1
        if delivered or not errors:
            # Delivered to at least one device (or every device is gone: nothing to retry).
            return SENT if delivered else Result(sent=False, error="gone", permanent=True)
        return Result(sent=False, error="; ".join(errors)[:500])

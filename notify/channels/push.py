"""Web Push (RFC 8030) with VAPID (RFC 8292), payloads encrypted (RFC 8291) by pywebpush.

A batch is sent from one event loop (aiohttp): up to NOTIFY_PUSH_CONCURRENCY requests in
flight over keep-alive connections, so the wait for push services' answers overlaps the
encryption of the next messages, with no thread per request; one VAPID signature per
push service and batch (a JWT valid for hours, not one ECDSA signature per message).
Endpoints come from residents' browsers, so from anyone: only https, and only public
addresses, checked on the address each connection really goes to (cms.core.addresses).
A push service answering 404 or 410 says the subscription is gone: it is deleted.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import time
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPusher

from cms.core.addresses import address_is_public

from ..models import PushSubscription
from .base import SENT, ChannelBackend, Outgoing, Result
from .endpoints import endpoint_problem

logger = logging.getLogger(__name__)

GONE = (404, 410)
REFUSED = 0  # an endpoint the server must not post to: dropped like a gone one
JWT_LIFETIME = 12 * 3600
TIMEOUT = 10


def push_channel() -> ChannelBackend | None:
    if not (settings.NOTIFY_VAPID_PRIVATE_KEY and settings.NOTIFY_VAPID_PUBLIC_KEY):
        return None
    return PushChannel()


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class _PublicResolver(AbstractResolver):
    """aiohttp's resolver, keeping only public addresses: a name that resolves to the
    server's own network cannot be reached (aiohttp does not resolve IP literals:
    endpoint_problem checks those)."""

    def __init__(self) -> None:
        self._resolver = DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list:
        found = [info for info in await self._resolver.resolve(host, port, family)
                 if address_is_public(info["host"])]
        if not found:
            raise OSError(errno.EACCES, f"{host} has no public address")
        return found

    async def close(self) -> None:
        await self._resolver.close()


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

    def _signatures(self, endpoints) -> dict[str, dict]:
        """Per push service of the batch: its VAPID headers."""
        signed: dict[str, dict] = {}
        for endpoint in endpoints:
            audience = _audience(endpoint)
            if audience not in signed:
                signed[audience] = self.vapid.sign({
                    "aud": audience, "exp": int(time.time()) + JWT_LIFETIME,
                    "sub": settings.NOTIFY_VAPID_SUBJECT})
        return signed

    def send(self, batch: list[Outgoing]) -> list[Result]:
        subscriber_ids = {outgoing.delivery.subscriber_id for outgoing in batch}
        devices: dict[int, list[PushSubscription]] = {}
        for push in PushSubscription.objects.filter(subscriber_id__in=subscriber_ids):
            devices.setdefault(push.subscriber_id, []).append(push)
        work = [(outgoing, devices.get(outgoing.delivery.subscriber_id, []))
                for outgoing in batch]
        signatures = self._signatures(push.endpoint for _outgoing, pushes in work
                                      for push in pushes)
        answers = asyncio.run(self._post_all(work, signatures))
        gone = [endpoint for per_outgoing in answers for endpoint, answer in per_outgoing
                if answer in GONE or answer == REFUSED]
        if gone:
            from ..services import push_unsubscribe

            push_unsubscribe(endpoints=gone)
        return [_result(per_outgoing) for per_outgoing in answers]

    async def _post_all(self, work, signatures) -> list[list[tuple[str, int | str]]]:
        resolver = _PublicResolver()
        connector = aiohttp.TCPConnector(limit=settings.NOTIFY_PUSH_CONCURRENCY,
                                         resolver=resolver)
        try:
            async with aiohttp.ClientSession(
                    connector=connector, trust_env=False,
                    timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session:
                return await asyncio.gather(*(
                    self._post_devices(session, outgoing, pushes, signatures)
                    for outgoing, pushes in work))
        finally:
            await resolver.close()

    async def _post_devices(self, session, outgoing: Outgoing, pushes, signatures):
        """One subscriber's devices: (endpoint, HTTP status or error) each."""
        data = push_payload(outgoing)
        headers = {"TTL": str(24 * 3600 if outgoing.delivery.urgent else 4 * 3600),
                   "Content-Encoding": "aes128gcm"}
        if outgoing.delivery.urgent:
            headers["Urgency"] = "high"  # RFC 8030 §5.3
        answers = []
        for push in pushes:
            answers.append((push.endpoint, await self._post(
                session, push, data, {**headers, **signatures[_audience(push.endpoint)]})))
        return answers

    @staticmethod
    async def _post(session, push: PushSubscription, data: bytes, headers) -> int | str:
        if endpoint_problem(push.endpoint):
            return REFUSED
        try:
            body = WebPusher({"endpoint": push.endpoint, "keys": {
                "p256dh": push.p256dh, "auth": push.auth}}).encode(data, "aes128gcm")["body"]
            async with session.post(push.endpoint, data=body, headers=headers,
                                    allow_redirects=False) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as error:
            return f"{type(error).__name__}: {error}"


def _result(answers: list[tuple[str, int | str]]) -> Result:
    """A subscriber's outcome over their devices: sent when one device got it."""
    errors = []
    delivered = 0
    for endpoint, answer in answers:
        if isinstance(answer, str):
            errors.append(answer)
        elif answer in GONE or answer == REFUSED:
            continue
        elif answer >= 400:
            errors.append(f"{urlsplit(endpoint).netloc}: {answer}")
        else:
            delivered += 1
    if delivered or not errors:
        # Delivered to at least one device (or every device is gone: nothing to retry).
        return SENT if delivered else Result(sent=False, error="gone", permanent=True)
    return Result(sent=False, error="; ".join(errors)[:500])

"""A Web Push service on loopback that does what a real one checks and a browser does:
it verifies the VAPID JWT (RFC 8292: ES256 signature by the key in `k`, audience, expiry)
and decrypts the payload with the subscription's private key and auth secret (RFC 8291,
aes128gcm, through http_ece). Subscriptions it is told are gone answer 410."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Push:
    name: str
    headers: dict
    claims: dict
    payload: dict


@dataclass
class PushService:
    sock: socket.socket = field(default_factory=lambda: socket.create_server(("127.0.0.1", 0)))
    keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = field(default_factory=dict)
    received: list[Push] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Seconds before each answer: a real push service is across the Internet.
    delay: float = 0.0
    ready: threading.Event = field(default_factory=threading.Event)
    loop: asyncio.AbstractEventLoop | None = None

    @property
    def origin(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Answer on this thread until shutdown(): one event loop, keep-alive connections
        (the benchmark runs it in a process of its own)."""
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/push/{name}", self._post)
        runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.SockSite(runner, self.sock).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())

    def shutdown(self) -> None:
        self.ready.wait(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _post(self, request: web.Request) -> web.Response:
        status = self.handle(request.path, {k.lower(): v for k, v in request.headers.items()},
                             await request.read())
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=status)

    def subscription(self, name: str) -> dict:
        """What a browser's PushSubscription.toJSON() gives for a new subscription."""
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.keys[name] = (private, auth)
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{name}",
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def handle(self, path: str, headers: dict, body: bytes) -> int:
        name = path.rsplit("/", 1)[-1]
        if name in self.gone:
            return 410
        if name not in self.keys:
            return 404
        try:
            claims = self._verify(headers)
            private, auth = self.keys[name]
            plain = http_ece.decrypt(body, private_key=private, auth_secret=auth,
                                     version="aes128gcm")
            payload = json.loads(plain)
        except Exception as error:  # noqa: BLE001 - recorded, answered 400
            with self.lock:
                self.rejected.append(f"{name}: {type(error).__name__}: {error}")
            return 400
        with self.lock:
            self.received.append(Push(name, headers, claims, payload))
        return 201

    def _verify(self, headers: dict) -> dict:
        assert headers.get("content-encoding") == "aes128gcm", headers
        assert int(headers["ttl"]) > 0
        scheme, _space, params = headers["authorization"].partition(" ")
        assert scheme == "vapid", scheme
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        token, key = fields["t"], fields["k"]
        signing_input, _dot, signature = token.rpartition(".")
        raw = unb64url(signature)
        assert len(raw) == 64
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                           int.from_bytes(raw[32:], "big")),
                      signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        header, payload = (json.loads(unb64url(part)) for part in signing_input.split("."))
        assert header["alg"] == "ES256", header
        assert payload["aud"] == self.origin, payload
        assert time.time() < payload["exp"] <= time.time() + 24 * 3600, payload
        assert payload["sub"].startswith(("mailto:", "https://")), payload
        return payload

    def messages(self) -> list[Push]:
        with self.lock:
            return list(self.received)


def push_service_start(*, serve: bool = True) -> PushService:
    """A push service on a loopback port; `serve=False`: bound, served by whoever calls
    `service.serve_forever()` (the benchmark, in another process)."""
    service = PushService()
    if serve:
        threading.Thread(target=service.serve_forever, daemon=True).start()
        service.ready.wait(10)
    return service

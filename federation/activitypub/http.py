"""The one HTTP client for every outgoing federation request, safe against SSRF.

Rules (issue 5, item 3): only http(s); the host is resolved and every address it
resolves to must be public (no loopback, private, link-local, shared, multicast,
reserved, cloud metadata, IPv4-mapped IPv6 of those); the address the socket really
connects to is checked again (DNS rebinding between the check and the connect);
redirects are followed by hand, each hop checked the same way; timeouts and a body
size limit. `FEDERATION_ALLOWED_PRIVATE_PEERS` lists exact `host:port` pairs that may
be private (tests, the two-instance end-to-end test); nothing else is exempt.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from cms.core.addresses import address_is_public

USER_AGENT = "Clocher/1.0 (+ActivityPub)"
MAX_REDIRECTS = 3


class UnsafeURLError(Exception):
    """The URL, one of its redirects, or its resolved address is not allowed."""


class ResponseTooLargeError(Exception):
    """The response body exceeds the size limit."""


@dataclass(frozen=True)
class Policy:
    allowed_private_peers: frozenset[str] = frozenset()
    timeout: float = 10.0
    max_bytes: int = 1024 * 1024

    def is_exempt(self, host: str, port: int) -> bool:
        return f"{host.lower()}:{port}" in self.allowed_private_peers


def _port_of(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def check_url(url: str, *, policy: Policy) -> None:
    """Raise UnsafeURLError unless every address the URL's host resolves to is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURLError(f"not an http(s) URL: {url!r}")
    if parts.username or parts.password:
        raise UnsafeURLError("credentials in URL")
    host, port = parts.hostname, _port_of(parts)
    if policy.is_exempt(host, port):
        return
    try:
        # getaddrinfo also reads the forms ipaddress rejects (2130706433, 0x7f.1, 127.1).
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURLError(f"cannot resolve {host!r}: {error}") from error
    for info in infos:
        if not address_is_public(info[4][0]):
            raise UnsafeURLError(f"{host!r} resolves to a non-public address {info[4][0]}")


class _CheckedConnectionMixin:
    """Check the address the socket actually connected to (defeats DNS rebinding)."""

    clocher_policy: Policy

    def _new_conn(self):
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if not self.clocher_policy.is_exempt(self.host, self.port) and not address_is_public(peer):
            sock.close()
            raise UnsafeURLError(f"connected to a non-public address {peer}")
        return sock


def _adapter(policy: Policy) -> HTTPAdapter:
    http_conn = type("CheckedHTTPConnection", (_CheckedConnectionMixin, HTTPConnection),
                     {"clocher_policy": policy})
    https_conn = type("CheckedHTTPSConnection", (_CheckedConnectionMixin, HTTPSConnection),
                      {"clocher_policy": policy})
    http_pool = type("CheckedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("CheckedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})

    class CheckedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
            self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)

    return CheckedAdapter(max_retries=0, pool_maxsize=16)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    def json(self):
        import json

        return json.loads(self.body)


class SafeClient:
    """requests.Session wrapper enforcing the policy on every hop."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment
        adapter = _adapter(policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, url: str, *, headers: dict[str, str] | None = None,
                body: bytes | None = None, sign=None) -> Response:
        """Send a request; `sign(method, url, headers, body)` re-signs each hop."""
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(url, policy=self.policy)
            send_headers = {"User-Agent": USER_AGENT, **(headers or {})}
            if sign is not None:
                send_headers = sign(method, url, send_headers, body)
            try:
                with self.session.request(
                    method, url, headers=send_headers, data=body, allow_redirects=False,
                    timeout=self.policy.timeout, stream=True,
                ) as raw:
                    if raw.is_redirect and "location" in raw.headers:
                        url = urljoin(url, raw.headers["location"])
                        if raw.status_code == 303:
                            method, body = "GET", None
                        continue
                    declared = raw.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                        raise ResponseTooLargeError(f"{declared} bytes")
                    chunks, size = [], 0
                    for chunk in raw.iter_content(64 * 1024):
                        size += len(chunk)
                        if size > self.policy.max_bytes:
                            raise ResponseTooLargeError(f"over {self.policy.max_bytes} bytes")
                        chunks.append(chunk)
                    return Response(status=raw.status_code, headers=dict(raw.headers),
                                    body=b"".join(chunks), url=url)
            except requests.exceptions.ConnectionError as error:
                cause = error.__context__ or error
                while cause is not None and not isinstance(cause, UnsafeURLError):
                    cause = cause.__context__
                if isinstance(cause, UnsafeURLError):
                    raise cause from error
                raise
        raise UnsafeURLError(f"more than {MAX_REDIRECTS} redirects")

    def get(self, url: str, **kwargs) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> Response:
        return self.request("POST", url, **kwargs)

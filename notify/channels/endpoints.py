"""Which push endpoints the server may post to: a subscription comes from a resident's
browser, so from anyone, and must not make the server call its own network."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

from cms.core.addresses import address_is_public


def endpoint_problem(endpoint: str) -> str | None:
    """Why the server must not post to this endpoint (None: it may). Host names are
    checked again on the address each connection goes to (_PublicResolver)."""
    parts = urlsplit(endpoint)
    if (settings.NOTIFY_PUSH_ALLOW_HTTP and parts.scheme == "http"
            and parts.hostname == "127.0.0.1"):
        return None  # the push service of the tests and the benchmark
    if parts.scheme != "https" or not parts.hostname:
        return "endpoint must be https"
    if parts.username or parts.password:
        return "endpoint must not carry credentials"
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None if parts.hostname.lower() != "localhost" else "endpoint is not public"
    return None if address_is_public(parts.hostname) else "endpoint is not public"

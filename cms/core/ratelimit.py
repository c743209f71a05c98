"""Rate limits of the public endpoints: who the client is, and one atomic counter.

Every limit counts requests per client in fixed windows. The client is `REMOTE_ADDR`,
or, behind `CLOCHER_TRUSTED_PROXY_COUNT` proxies, the address the outermost trusted
proxy saw; a header the client wrote itself never chooses its bucket.

Counters live where the configured cache is (`CACHE_URL`): Redis and the per-process
memory cache count with `add` + `incr`, which both make atomic; Django's database cache
has no atomic increment, so with `db://` the counters are rows of `RateCounter` updated
by one `INSERT … ON CONFLICT … RETURNING`. Only the memory cache is per process.
"""

import contextlib
import datetime as dt
import ipaddress
import math
import time
from dataclasses import dataclass
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from .models import RateCounter

DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends


def client_address(request) -> str | None:
    """The client's address, as the configured trusted proxies saw it (None if unusable).

    With N = CLOCHER_TRUSTED_PROXY_COUNT proxies in front of the server, each appends
    the address it saw to X-Forwarded-For: the client is the Nth entry from the right
    (REMOTE_ADDR being the nearest proxy). Entries further left are the client's own
    words and are ignored; with N = 0 the header is not read at all.
    """
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.CLOCHER_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [entry.strip() for entry
                     in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        chain = [*forwarded, address]
        address = chain[-(proxies + 1)] if len(chain) > proxies else chain[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    return str(getattr(parsed, "ipv4_mapped", None) or parsed)


def address_bucket(address: str | None) -> str:
    """Who an address counts as: itself, or its /64 for IPv6 (what one subscriber gets,
    so that a client cannot take a new limit with each of its addresses)."""
    if address is None:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


class CacheCounter:
    """Counters in the configured cache (Redis: INCR; memory: under the cache's lock)."""

    def hit(self, bucket: str, ttl: int) -> int:
        cache.add(bucket, 0, ttl)
        try:
            return cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.add(bucket, 1, ttl)
            return 1

    def release(self, bucket: str) -> None:
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(bucket)


class DatabaseCounter:
    """Counters as rows: one statement per hit, atomic on PostgreSQL and SQLite."""

    def hit(self, bucket: str, ttl: int) -> int:
        table = RateCounter._meta.db_table
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (bucket, hits, expires_at) VALUES (%s, 1, %s) "  # noqa: S608 (our table's name)
                f"ON CONFLICT (bucket) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
                [bucket, now + dt.timedelta(seconds=ttl)])
            hits = cursor.fetchone()[0]
        if hits == 1:  # a new window: forget the finished ones
            RateCounter.objects.filter(expires_at__lt=now).delete()
        return hits

    def release(self, bucket: str) -> None:
        RateCounter.objects.filter(bucket=bucket, hits__gt=0).update(
            hits=F("hits") - 1)


@memoize
def counter() -> CacheCounter | DatabaseCounter:
    """The counter store of the configured cache."""
    if settings.CACHES["default"]["BACKEND"] == DATABASE_CACHE:
        return DatabaseCounter()
    return CacheCounter()


@receiver(setting_changed)
def _forget_counter(*, setting, **kwargs) -> None:
    if setting == "CACHES":
        counter.cache_clear()


def _bucket(scope: str, who: str, window_seconds: int, now: float) -> str:
    return f"clocher:rate:{scope}:{who}:{int(now // window_seconds)}"


def rate_limit_hit(*, scope: str, who: str, limit: int, window_seconds: int) -> Decision:
    """Count one request of `who` against `limit` per window; 0 or less: no limit."""
    if limit <= 0:
        return Decision(allowed=True, retry_after=0)
    now = time.time()
    hits = counter().hit(_bucket(scope, who, window_seconds, now), window_seconds + 5)
    window_end = (int(now // window_seconds) + 1) * window_seconds
    return Decision(allowed=hits <= limit, retry_after=max(1, math.ceil(window_end - now)))


def rate_limit_release(*, scope: str, who: str, window_seconds: int) -> None:
    """Give back one request of the current window (it turned out not to count)."""
    counter().release(_bucket(scope, who, window_seconds, time.time()))

"""Rate limits that hold (issue 24, finding 2): the client's address comes from the
configured proxies only, every public endpoint is limited, and counting is atomic."""

import os
import re
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from cms.core.ratelimit import address_bucket, client_address
from cms.settings.base import cache_from_url
from frontend import urls as frontend_urls

pytestmark = pytest.mark.django_db

# The resident site's views that are not limited: a static thanks page.
FRONTEND_UNLIMITED = {"contribute-thanks"}


@pytest.fixture(autouse=True)
def _clean_counters(fresh_api_cache):
    """Counters of one test must not reach the next (fresh_api_cache clears the cache)."""


def one_window(seconds: int = 60, margin: float = 3.0) -> None:
    """Wait for the next window if this one ends within `margin` seconds."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 0.1)


def test_a_new_forwarded_for_per_request_does_not_reset_the_limit(client, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 3
    one_window()
    statuses = [client.get("/api/communes", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
                           HTTP_X_REAL_IP=f"198.51.100.{number}").status_code
                for number in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_the_client_behind_configured_proxies_is_the_one_they_saw(client, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 2
    settings.CLOCHER_TRUSTED_PROXY_COUNT = 1
    one_window()

    def get(forwarded: str) -> int:
        return client.get("/api/communes", REMOTE_ADDR="10.0.0.2",
                          HTTP_X_FORWARDED_FOR=forwarded).status_code

    # The client writes what it likes on the left; the proxy appends what it saw.
    assert [get(f"192.0.2.{n}, 203.0.113.5") for n in range(3)] == [200, 200, 429]
    assert get("203.0.113.6") == 200  # another client behind the same proxy


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    (0, "203.0.113.5", "192.0.2.1", "203.0.113.5"),  # not configured: header ignored
    (1, "10.0.0.2", "192.0.2.1, 203.0.113.5", "203.0.113.5"),
    (2, "10.0.0.2", "192.0.2.1, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
    (2, "10.0.0.2", "", "10.0.0.2"),  # reached the server past the proxies
    (1, "10.0.0.2", "not-an-address", None),
    (0, "::ffff:203.0.113.5", "", "203.0.113.5"),
])
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.CLOCHER_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_ipv6_clients_count_by_subscriber_prefix():
    assert address_bucket("2001:db8:1:2::1") == address_bucket("2001:db8:1:2:ffff::9")
    assert address_bucket("2001:db8:1:3::1") != address_bucket("2001:db8:1:2::1")
    assert address_bucket(None) == "unknown"


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        text = str(pattern.pattern)
        if pattern.pattern.__class__.__name__ == "RegexPattern":
            text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
            text = re.sub(r"\(\?!.*?\)", "unknown", text).strip("^$")
        text = re.sub(r"<(?:id|int):\w+>", "1", text)
        text = re.sub(r"<(?:str|slug):\w+>", "x", text)
        text = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", text)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield prefix + text, pattern.name


def public_paths() -> list[str]:
    """A path for every route of the API (/api/, /api/v2/, feeds, search), of the
    federation (inboxes, actors, objects, WebFinger, NodeInfo) and for each resident-site
    view outside the page tree, taken from the URLconf itself."""
    paths = [f"/{route}" for route, _name in _routes(get_resolver().url_patterns)
             if route.startswith(("api/", "ap/", ".well-known/", "nodeinfo/"))]
    names = {pattern.name: str(pattern.pattern) for pattern in frontend_urls.urlpatterns}
    paths += ["/" + re.sub(r"<str:\w+>", "44052", re.sub(r"<id:\w+>", "1", route))
              for name, route in names.items() if name not in FRONTEND_UNLIMITED]
    return paths


def test_the_walk_finds_every_kind_of_public_endpoint():
    paths = public_paths()
    for expected in ("/api/events", "/api/events/1", "/api/_ping", "/api/search",
                     "/api/search/suggest", "/api/v2/pages/", "/api/v2/images/1/",
                     "/api/feeds/x/news.rss", "/api/feeds/x/events.ics", "/api/unknown",
                     "/recherche/", "/proposer/", "/agenda/evenement-1.ics",
                     "/ap/inbox", "/ap/communes/x/inbox", "/.well-known/webfinger",
                     "/nodeinfo/2.1"):
        assert expected in paths
    assert all(re.fullmatch(r"[\w/.-]+", path) for path in paths), paths


def test_every_public_endpoint_is_rate_limited(client, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 1
    settings.CLOCHER_SITE_RATE_PER_MINUTE = 1
    settings.FEDERATION_RATE_PER_MINUTE = 1
    one_window(margin=10)
    unlimited = []
    for number, path in enumerate(public_paths()):
        address = f"10.1.{number // 250}.{number % 250 + 1}"  # a budget per path
        client.get(path, {"q": "fete"}, REMOTE_ADDR=address)
        second = client.get(path, {"q": "fete"}, REMOTE_ADDR=address)
        if second.status_code != 429 or not second.get("Retry-After"):
            unlimited.append((path, second.status_code))
    assert unlimited == []


def test_the_api_and_wagtails_api_share_the_anonymous_budget(client, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 2
    one_window()
    assert client.get("/api/communes").status_code == 200
    assert client.get("/api/v2/pages/").status_code == 200
    response = client.get("/api/feeds/x/news.rss")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


# -- Atomic under concurrency ----------------------------------------------------------

def parallel_statuses(path: str, count: int, **extra) -> Counter:
    """`count` requests at once, each in its own thread with its own client."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def request():
        browser = Client()
        barrier.wait()
        try:
            statuses.append(browser.get(path, **extra).status_code)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=request) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(statuses)


@pytest.fixture(params=["memory", "redis"])
def counter_store(request, settings):
    """The cache the counters live in: this process's memory, Redis."""
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("REDIS_URL is not set: start Redis with "
                        "`export \"$(scripts/redis-server.sh)\"` (CI does)")
        settings.CACHES = {"default": cache_from_url(url)}
        from django.core.cache import cache

        cache.clear()
    return request.param


def test_parallel_requests_get_exactly_the_limit(counter_store, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 7
    one_window(margin=10)
    statuses = parallel_statuses("/api/_ping", 24, REMOTE_ADDR="198.51.100.77")
    assert statuses == {200: 7, 429: 17}


@pytest.mark.parametrize(("path", "setting"), [
    ("/recherche/?q=fete", "CLOCHER_SITE_RATE_PER_MINUTE"),
    ("/.well-known/nodeinfo", "FEDERATION_RATE_PER_MINUTE"),
])
def test_every_limit_holds_under_parallel_requests(path, setting, settings):
    # The resident site's and the federation's limits: the same counter, other scopes.
    setattr(settings, setting, 7)
    one_window(margin=10)
    statuses = parallel_statuses(path, 24, REMOTE_ADDR="198.51.100.78")
    assert statuses[429] == 17 and sum(statuses.values()) == 24
    assert 500 not in statuses


# Each thread's connection commits its count; serialized_rollback as every transactional
# test here (a flush without it recreates content types that later ones reload).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_requests_get_exactly_the_limit_with_the_database_cache(settings):
    # Django's database cache has no atomic increment: the counters are RateCounter rows.
    from django.db import connection

    if connection.vendor == "sqlite":
        # The test database is SQLite in memory with a shared cache, whose writers get
        # "database table is locked" at once; a deployment's SQLite file waits for its
        # lock (timeout 20 s, cms/settings/base.py). The statement is the same.
        pytest.skip("concurrent writers on SQLite's in-memory test database fail at once")
    settings.CACHES = {"default": cache_from_url("db://clocher_cache_test")}
    call_command("createcachetable", verbosity=0)
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 7
    one_window(margin=10)
    statuses = parallel_statuses("/api/_ping", 24, REMOTE_ADDR="198.51.100.77")
    assert statuses == {200: 7, 429: 17}

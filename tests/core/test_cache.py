"""CACHE_URL: one cache shared by every process, so rate limits hold across workers."""

import os
import time

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.core.checks import run_checks
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings

from cms.core.models import RateCounter
from cms.settings.base import cache_from_url

DB_CACHE = {"default": cache_from_url("db://clocher_cache_test")}


def test_cache_url_forms():
    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    assert cache_from_url("db://clocher_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clocher_cache"}
    assert cache_from_url("rediss://cache.internal:6380/1") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "rediss://cache.internal:6380/1"}
    with pytest.raises(ValueError, match="unsupported cache"):
        cache_from_url("memcache://x")
    with pytest.raises(ValueError, match="unsupported cache"):
        cache_from_url("db://")


def test_deploy_check_warns_about_a_per_process_cache():
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "clocher.W001" in ids
    with override_settings(CACHES=DB_CACHE):
        ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "clocher.W001" not in ids



@pytest.fixture(params=["db", "redis"])
def other_worker(request, settings, db):
    """This process's cache set to a shared one; returns another process's own handle
    on that same cache (its own connection)."""
    if request.param == "db":
        settings.CACHES = DB_CACHE
        call_command("createcachetable", verbosity=0)
        yield DatabaseCache("clocher_cache_test", {})
        return
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: start Redis with "
                    "`export \"$(scripts/redis-server.sh)\"` (CI does)")
    settings.CACHES = {"default": cache_from_url(url)}
    handle = RedisCache(url, {})
    handle.clear()  # FLUSHDB: the test server's database holds nothing else
    yield handle
    handle.clear()


@pytest.mark.django_db
def test_rate_limit_counts_in_the_shared_cache(client, commune, other_worker, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 2
    if time.time() % 60 > 57:  # the limit counts per minute: stay inside one window
        time.sleep(60 - time.time() % 60 + 0.1)
    assert client.get("/api/events").status_code == 200
    # Another worker process opens its own connection to the same cache: it sees the count.
    bucket = f"clocher:rate:api:ip:127.0.0.1:{int(time.time() // 60)}"
    if isinstance(other_worker, DatabaseCache):
        # The database cache has no atomic increment: the counters are RateCounter rows
        # (cms/core/ratelimit.py), in the same database.
        assert RateCounter.objects.get(bucket=bucket).hits == 1
        RateCounter.objects.filter(bucket=bucket).update(hits=F("hits") + 1)  # its request
    else:
        assert other_worker.get(bucket) == 1
        other_worker.incr(bucket)  # its request
    response = client.get("/api/events")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


@pytest.mark.django_db
def test_a_publish_clears_the_page_cache_of_every_process(other_worker):
    from frontend import pagecache

    before = pagecache.generation()
    assert other_worker.get(pagecache.GENERATION_KEY) == before
    pagecache.invalidate()  # what a publish in this process does
    assert other_worker.get(pagecache.GENERATION_KEY) == before + 1
    other_worker.incr(pagecache.GENERATION_KEY)  # a publish in another process
    assert pagecache.generation() == before + 2

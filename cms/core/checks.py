"""Deployment checks (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS = {"django.core.cache.backends.locmem.LocMemCache",
               "django.core.cache.backends.dummy.DummyCache"}


@register(deploy=True)
def shared_cache(app_configs, **kwargs) -> list[Warning]:
    """Rate limits, the page cache and its invalidation need one cache for all processes."""
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS:
        return []
    return [Warning(
        "The cache is per process: each web worker keeps its own rate-limit counters and "
        "page cache, and a publish invalidates cached pages only in the process that made it.",
        hint="Set CACHE_URL to db://clocher_cache (then `manage.py createcachetable`) or "
             "to a Redis URL (pip install 'clocher[redis]').",
        id="clocher.W001")]

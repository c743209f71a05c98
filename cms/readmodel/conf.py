"""Settings of the public API, each with a default and an environment override.

Read on first use, not at import time, and read again after override_settings (the
setting_changed signal): looking them up costs ~10 µs each, on every request.
"""

import os

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_values: dict[str, object] = {}


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _values.clear()


def _setting(name: str, default, parse_env):
    try:
        return _values[name]
    except KeyError:
        pass
    if hasattr(settings, name):
        value = getattr(settings, name)
    else:
        raw = os.environ.get(name)
        value = default if raw in (None, "") else parse_env(raw)
    _values[name] = value
    return value


def _int(name: str, default: int) -> int:
    return int(_setting(name, default, int))


def _bool(name: str, default: bool) -> bool:
    return bool(_setting(name, default,
                         lambda raw: raw.strip().lower() in {"1", "true", "yes", "on"}))


def anonymous_rate_per_minute() -> int:
    """Requests per minute per client IP without a key; 0 disables the limit."""
    return _int("CLOCHER_API_ANON_RATE_PER_MINUTE", 120)


def key_required() -> bool:
    """Whether every request needs a partner key (401 without one)."""
    return _bool("CLOCHER_API_KEY_REQUIRED", False)


def changes_retention_days() -> int:
    return _int("CLOCHER_API_CHANGES_RETENTION_DAYS", 30)


def cache_max_age() -> int:
    return _int("CLOCHER_API_CACHE_MAX_AGE", 60)


def neighbourhood_max_radius_km() -> int:
    return _int("CLOCHER_API_MAX_RADIUS_KM", 100)


def microcache_seconds() -> float:
    """How long a worker may reuse an item row or the feed version it read
    (cms/readmodel/microcache.py): the most a response can lag a publish. 0 disables."""
    return float(_setting("CLOCHER_API_MICROCACHE_SECONDS", 1.0, float))

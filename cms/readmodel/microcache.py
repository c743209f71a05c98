"""A per-process micro-cache for the hottest reads (item rows, the feed version).

Why: a partner widget polls the same detail or list many times a second; reading the
row again for each poll costs more than the rest of the request. The bound is the
setting CLOCHER_API_MICROCACHE_SECONDS (default 1 s; 0 disables): a value is served
at most that long after it was read. A publish clears this process's entries at once
(changes.change_record); other processes (gunicorn workers, servers) see it once
their entries expire, so any response lags a publish by at most the bound.
"""

import time
from typing import Any

from . import conf

MAX_ENTRIES = 5000
_MISSING = object()
_entries: dict[Any, tuple[float, Any]] = {}


def clock() -> float:
    return time.monotonic()


def get(key: Any, default: Any = None) -> Any:
    entry = _entries.get(key, _MISSING)
    if entry is _MISSING:
        return default
    expires, value = entry
    if clock() >= expires:
        _entries.pop(key, None)
        return default
    return value


def put(key: Any, value: Any) -> None:
    seconds = conf.microcache_seconds()
    if seconds <= 0:
        return
    now = clock()
    if len(_entries) >= MAX_ENTRIES:
        for stale in [k for k, (expires, _v) in _entries.items() if expires <= now]:
            del _entries[stale]
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
    _entries[key] = (now + seconds, value)


def clear() -> None:
    """Forget everything: called on every write to the read model in this process."""
    _entries.clear()

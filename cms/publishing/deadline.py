"""A time limit for one job or one outbox batch of the worker loop.

The worker runs in a process's main thread (manage.py run_worker), where SIGALRM can
interrupt a handler stuck on a peer or a lock: the handler then raises `WorkTimeout`,
which the loop records like any other failure (retried, counted, dead-lettered). In
another thread, or where the platform has no interval timer, the limit is not enforced
(a web process draining after commit never sets one).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class WorkTimeout(Exception):  # noqa: N818 (named for what an operator reads in last_error)
    """A job or a handler ran past the worker's time limit."""


def _enforceable() -> bool:
    return (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())


@contextmanager
def deadline(seconds: float | None, *, what: str) -> Iterator[None]:
    """Raise `WorkTimeout` inside the block once `seconds` have passed (None or 0: no
    limit). An outer timer (another limit, pytest-timeout) is put back on the way out,
    less the time spent; an outer one that expires first keeps its own handler."""
    if not seconds or not _enforceable():
        yield
        return
    outer_remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_remaining and outer_remaining <= seconds:
        yield
        return

    def expire(_signum, _frame):
        raise WorkTimeout(f"{what} ran past the worker's limit of {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining:
            left = outer_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))

"""The calendar-shifted run: CLOCHER_TEST_CLOCK_SHIFT_DAYS=400 moves the clock ahead.

No test may hard-code a date that will pass (docs: STYLE.md, "Tests"), so CI runs the
suite once with the clock more than a year ahead. time-machine moves this process's
wall clock (time.time, datetime.now; not time.monotonic, so timeouts are unaffected)
at the start of the session and lets it tick. Python processes the tests start (the
two federation instances, the worker and import commands, moto) inherit the variable
and tests/clock_shift/ on their PYTHONPATH, whose sitecustomize moves their clocks the
same way. Services that are not Python (PostgreSQL, Elasticsearch, OpenSearch, Redis,
Chromium) keep the real time: the code never asks them for the time.
"""

import datetime as dt
import os
import sys
from pathlib import Path

VARIABLE = "CLOCHER_TEST_CLOCK_SHIFT_DAYS"
CHILD_SITE = Path(__file__).resolve().parent / "clock_shift"


def shift_days() -> int:
    value = os.environ.get(VARIABLE, "").strip()
    return int(value) if value else 0


def shift_start(config) -> None:
    """Move the clock ahead for the session when the variable asks for it."""
    days = shift_days()
    if not days:
        return
    paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    if str(CHILD_SITE) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(CHILD_SITE), *paths])
    if getattr(sys.modules.get("sitecustomize"), "CLOCHER_CLOCK_SHIFTED", False):
        return  # a pytest-xdist worker: moved at its start, as any child process
    import time_machine

    traveller = time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days),
                                    tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def header() -> str | None:
    days = shift_days()
    if not days:
        return None
    return (f"clock: shifted {days} days ahead ({VARIABLE}={days}), "
            f"now {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; child Python processes too")

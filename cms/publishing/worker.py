"""The one worker loop: periodic jobs from jobs.py, then the outbox, category by category.

Idle, a tick is one query (which categories have work due); the jobs table is read
again only when the earliest job is due. Several workers can run side by side: rows
are claimed with SKIP LOCKED on PostgreSQL and job runs by a conditional UPDATE.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from . import jobs, outbox

logger = logging.getLogger(__name__)


class WorkerLoop:
    def __init__(self, *, interval: float = 1.0, stop: threading.Event | None = None) -> None:
        self.interval = interval
        self.stop = stop or threading.Event()
        self._jobs_due_at = 0.0  # time.monotonic() when the jobs table is next worth reading

    def tick(self) -> int:
        """Run what is due once; return how many outbox rows were done."""
        if time.monotonic() >= self._jobs_due_at:
            jobs.jobs_run_due()
            wait = jobs.jobs_next_due_in()
            self._jobs_due_at = time.monotonic() + (self.interval if wait is None else wait)
        categories = outbox.outbox_due_categories()
        if not categories:
            return 0
        return outbox.outbox_drain(categories=categories).done

    def run(self) -> None:
        """Tick until stopped; sleep `interval` after a tick that found nothing."""
        while not self.stop.is_set():
            try:
                done = self.tick()
            except Exception:
                # A locked or briefly unreachable database must not kill the loop.
                logger.exception("worker tick failed")
                done = 0
            finally:
                close_old_connections()
            if not done:
                self.stop.wait(self.interval)

    def run_batch(self, *, max_rounds: int = 100) -> int:
        """Run every job once, then drain until nothing is due (tests, cron-style use)."""
        jobs.jobs_run_due(force=True)
        total = 0
        for _round in range(max_rounds):
            categories = outbox.outbox_due_categories()
            done = outbox.outbox_drain(categories=categories).done if categories else 0
            total += done
            if not done:
                break
        return total

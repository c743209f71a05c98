"""The one worker loop: periodic jobs from jobs.py, then the outbox, category by category.

Idle, a tick is one query (which categories have work due); the jobs table is read
again only when the earliest job is due. Several workers can run side by side: rows
are claimed with SKIP LOCKED on PostgreSQL and job runs by a conditional UPDATE.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from . import jobs, outbox

logger = logging.getLogger(__name__)


class WorkerLoop:
    """Run jobs and drain the outbox until stopped; nothing a job or a handler raises,
    a locked database included, ends the loop. `timeout` (default
    CLOCHER_WORKER_TIMEOUT_SECONDS) bounds each job and each outbox batch; `failures`
    counts the failed jobs, batches and passes since start."""

    def __init__(self, *, interval: float = 1.0, stop: threading.Event | None = None,
                 timeout: float | None = None) -> None:
        self.interval = interval
        self.stop = stop or threading.Event()
        self.timeout = settings.CLOCHER_WORKER_TIMEOUT_SECONDS if timeout is None else timeout
        self.failures = 0
        self._jobs_due_at = 0.0  # time.monotonic() when the jobs table is next worth reading

    def tick(self) -> int:
        """Run what is due once; return how many outbox rows were done."""
        if time.monotonic() >= self._jobs_due_at:
            results = jobs.jobs_run_due(timeout=self.timeout)
            self.failures += sum(isinstance(result, Exception) for result in results.values())
            wait = jobs.jobs_next_due_in()
            self._jobs_due_at = time.monotonic() + (self.interval if wait is None else wait)
        categories = outbox.outbox_due_categories()
        if not categories:
            return 0
        report = outbox.outbox_drain(categories=categories, timeout=self.timeout)
        self.failures += report.failed + report.dead + report.errors
        return report.done

    def run(self) -> None:
        """Tick until stopped; sleep `interval` after a tick that found nothing."""
        while not self.stop.is_set():
            try:
                done = self.tick()
            except Exception:  # noqa: BLE001
                # A locked or briefly unreachable database must not kill the loop.
                logger.exception("worker tick failed")
                self.failures += 1
                done = 0
            try:
                close_old_connections()
            except Exception:  # noqa: BLE001
                logger.exception("worker: closing the database connection failed")
            if not done:
                self.stop.wait(self.interval)

    def run_batch(self, *, max_rounds: int = 100) -> int:
        """Run every job once, then drain until nothing is due (tests, cron-style use)."""
        jobs.jobs_run_due(force=True, timeout=self.timeout)
        total = 0
        for _round in range(max_rounds):
            categories = outbox.outbox_due_categories()
            done = (outbox.outbox_drain(categories=categories, timeout=self.timeout).done
                    if categories else 0)
            total += done
            if not done:
                break
        return total

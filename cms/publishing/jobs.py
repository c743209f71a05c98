"""Periodic jobs of the worker loop: one registry instead of a timer thread each.

An app registers a `Job` in its AppConfig.ready(); the worker loop (worker.py) runs
each when due. Runs are claimed in the database (models.PeriodicJobRun), so several
workers run a job once per period between them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .deadline import WorkTimeout, deadline
from .models import PeriodicJobRun

__all__ = ["Job", "WorkTimeout", "job_register", "jobs", "jobs_next_due_in", "jobs_run_due"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Any]
    # Seconds between two runs; a callable reads a setting when the worker starts.
    every: float | Callable[[], float]

    def period(self) -> float:
        return float(self.every() if callable(self.every) else self.every)


_jobs: dict[str, Job] = {}


def job_register(job: Job) -> None:
    _jobs[job.name] = job


def jobs() -> dict[str, Job]:
    return dict(_jobs)


def _claim(job: Job, now: dt.datetime) -> bool:
    """Move the job's next run forward if it is due; True when this caller won it."""
    next_run = now + dt.timedelta(seconds=job.period())
    claimed = PeriodicJobRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=next_run, last_started_at=now)
    if claimed:
        return True
    if PeriodicJobRun.objects.filter(name=job.name).exists():
        return False
    try:
        with transaction.atomic():
            PeriodicJobRun.objects.create(name=job.name, next_run_at=next_run,
                                          last_started_at=now)
    except IntegrityError:
        return False  # another worker created it first, and runs it
    return True


def jobs_run_due(*, names: list[str] | None = None, force: bool = False,
                 timeout: float | None = None) -> dict[str, Any]:
    """Run the jobs that are due (all of `names` when forced); return their results, an
    exception for each job that failed. A failure (a locked database included, at the
    claim too) is logged and counted on the job's row; the other jobs still run. With
    `timeout`, a job running longer is stopped (deadline.py)."""
    results: dict[str, Any] = {}
    now = timezone.now()
    for name, job in _jobs.items():
        if names is not None and name not in names:
            continue
        try:
            if not (_claim(job, now) or force):
                continue
            with deadline(timeout, what=f"job {name}"):
                results[name] = job.run()
        except Exception as error:  # noqa: BLE001 - one job must not stop the others
            logger.exception("periodic job %s failed", name)
            _failure_record(name=name, error=error)
            results[name] = error
        else:
            _success_record(name=name)
    return results


def _failure_record(*, name: str, error: Exception) -> None:
    # The row may be unwritable for the same reason the job failed (a locked database).
    try:
        PeriodicJobRun.objects.filter(name=name).update(
            last_error=f"{type(error).__name__}: {error}"[:2000],
            failures=F("failures") + 1, last_failed_at=timezone.now())
    except Exception:  # noqa: BLE001
        logger.exception("periodic job %s: its failure could not be recorded", name)


def _success_record(*, name: str) -> None:
    try:
        PeriodicJobRun.objects.filter(name=name, failures__gt=0).update(failures=0,
                                                                       last_error="")
    except Exception:  # noqa: BLE001
        logger.exception("periodic job %s: its success could not be recorded", name)


def jobs_next_due_in(*, now: dt.datetime | None = None) -> float | None:
    """Seconds until the next job is due (0 when one is overdue or never ran)."""
    now = now or timezone.now()
    runs = dict(PeriodicJobRun.objects.filter(name__in=list(_jobs))
                .values_list("name", "next_run_at"))
    if len(runs) < len(_jobs):
        return 0.0
    if not runs:
        return None
    return max(0.0, (min(runs.values()) - now).total_seconds())

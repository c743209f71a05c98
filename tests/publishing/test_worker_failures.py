"""A worker that does not die (issue 24, "What must work" 6): a failing handler or job,
a locked database, or a job that runs past its time never stops the loop; the failure
is logged, counted and listed for an operator.

Locked databases are injected (OperationalError raised where the driver raises it): a
real lock needs two connections, which SQLite's shared in-memory test database cannot
hold apart (see test_worker.py).
"""

import time

import pytest
from django.core.management import call_command
from django.db import OperationalError

from cms.publishing import jobs, outbox, worker
from cms.publishing.models import OutboxMessage, OutboxState, PeriodicJobRun

pytestmark = pytest.mark.django_db

LOCKED = "database is locked"


@pytest.fixture
def categories():
    """Two test categories: `test.first` fails on demand, `test.second` records."""
    handled: dict[str, list[int]] = {"test.first": [], "test.second": []}
    failure: dict = {}

    def handler(category):
        def handle(rows):
            if category == "test.first" and failure.get("error"):
                error = failure["error"]
                if isinstance(error, Exception):
                    raise error
                error()
            handled[category].extend(row.object_id for row in rows)
        return handle

    for category in handled:
        outbox.consumer_register(outbox.Consumer(category=category, handle=handler(category)))
    yield handled, failure
    for category in handled:
        outbox._consumers.pop(category)


@pytest.fixture
def registered_jobs():
    names: list[str] = []

    def register(name, run, every=3600):
        jobs.job_register(jobs.Job(name=name, run=run, every=every))
        names.append(name)

    yield register
    for name in names:
        jobs._jobs.pop(name)


def append_both():
    outbox.outbox_append(category="test.first", object_ids=[1])
    outbox.outbox_append(category="test.second", object_ids=[2])


def test_a_locked_database_in_one_category_does_not_stop_the_others(categories, monkeypatch):
    handled, _failure = categories
    append_both()
    claim = outbox._claim

    def locked_claim(*, consumer, now, force):
        if consumer.category == "test.first":
            raise OperationalError(LOCKED)
        return claim(consumer=consumer, now=now, force=force)

    monkeypatch.setattr(outbox, "_claim", locked_claim)
    report = outbox.outbox_drain(categories=["test.first", "test.second"])
    assert handled["test.second"] == [2]
    assert report.errors == 1
    # The first category's row is untouched: the next pass takes it.
    assert OutboxMessage.objects.get(category="test.first").state == OutboxState.PENDING


def test_a_handler_hitting_a_locked_database_is_retried_and_listed(categories):
    handled, failure = categories
    append_both()
    failure["error"] = OperationalError(LOCKED)
    report = outbox.outbox_drain(categories=["test.first", "test.second"])
    assert report.failed == 1 and handled["test.second"] == [2]
    row = OutboxMessage.objects.get(category="test.first")
    assert row.state == OutboxState.PENDING and row.attempts == 1
    assert LOCKED in row.last_error


def test_a_handler_past_its_time_is_stopped_and_retried(categories, settings):
    handled, failure = categories
    append_both()
    failure["error"] = lambda: time.sleep(3)
    started = time.monotonic()
    report = outbox.outbox_drain(categories=["test.first", "test.second"], timeout=0.2)
    assert time.monotonic() - started < 2
    assert report.failed == 1 and handled["test.second"] == [2]
    row = OutboxMessage.objects.get(category="test.first")
    assert "WorkTimeout" in row.last_error and row.attempts == 1


def test_a_job_past_its_time_is_stopped_and_counted(registered_jobs):
    ran = []
    registered_jobs("test.slow", lambda: time.sleep(3))
    registered_jobs("test.next", lambda: ran.append(1))
    started = time.monotonic()
    results = jobs.jobs_run_due(names=["test.slow", "test.next"], timeout=0.2)
    assert time.monotonic() - started < 2
    assert isinstance(results["test.slow"], jobs.WorkTimeout) and ran == [1]
    run = PeriodicJobRun.objects.get(name="test.slow")
    assert run.failures == 1 and "0.2" in run.last_error and run.last_failed_at is not None


def test_a_job_whose_claim_hits_a_locked_database_does_not_skip_the_next(registered_jobs,
                                                                        monkeypatch):
    ran = []
    registered_jobs("test.locked", lambda: None)
    registered_jobs("test.next", lambda: ran.append(1))
    claim = jobs._claim

    def locked_claim(job, now):
        if job.name == "test.locked":
            raise OperationalError(LOCKED)
        return claim(job, now)

    monkeypatch.setattr(jobs, "_claim", locked_claim)
    results = jobs.jobs_run_due(names=["test.locked", "test.next"])
    assert ran == [1] and isinstance(results["test.locked"], OperationalError)


def test_job_failures_are_counted_until_a_success_and_listed(registered_jobs):
    outcome: dict = {"error": OperationalError(LOCKED)}

    def flaky():
        if outcome.get("error"):
            raise outcome["error"]

    registered_jobs("test.flaky", flaky)
    jobs.jobs_run_due(names=["test.flaky"], force=True)
    jobs.jobs_run_due(names=["test.flaky"], force=True)
    assert PeriodicJobRun.objects.get(name="test.flaky").failures == 2
    out = _command_output("outbox", "jobs")
    assert "test.flaky" in out and "2 failures" in out and LOCKED in out
    outcome.clear()
    jobs.jobs_run_due(names=["test.flaky"], force=True)
    run = PeriodicJobRun.objects.get(name="test.flaky")
    assert run.failures == 0 and run.last_error == ""


def test_the_loop_keeps_running_through_failing_jobs_and_handlers(
        categories, registered_jobs, monkeypatch):
    handled, failure = categories
    failure["error"] = OperationalError(LOCKED)
    loop = worker.WorkerLoop(interval=0.01, timeout=5)
    passes = []

    def every_pass():
        passes.append(1)
        append_both()
        if len(passes) == 3:
            loop.stop.set()
        raise OperationalError(LOCKED)

    registered_jobs("test.every_pass", every_pass, every=0)
    # close_old_connections() would close the test's own transaction.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    loop.run()
    assert len(passes) == 3
    assert handled["test.second"] == [2, 2, 2]  # appended and drained at each pass
    assert loop.failures >= 3
    assert PeriodicJobRun.objects.get(name="test.every_pass").failures == 3
    assert OutboxMessage.objects.filter(category="test.first", attempts__gte=1).exists()


def _command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()

"""The worker loop: scheduled publishing without cron, the outbox drained, one loop.

cms/publishing: worker.py (the loop), jobs.py (periodic jobs), outbox.py (the drain).
"""

import datetime as dt
import signal
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

from cms.content.models import NewsIndexPage, NewsPage
from cms.publishing import jobs
from cms.publishing.models import OutboxMessage, OutboxState, PeriodicJobRun
from cms.publishing.worker import WorkerLoop
from tests.factories import NewsPageFactory, section

# The worker commits as a worker process does: its tests commit for real.
# serialized_rollback brings back the locales and page tree that the flush removes.
worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def news_index(commune):
    return section(commune, NewsIndexPage)


@pytest.fixture
def due_page(news_index) -> NewsPage:
    """A draft scheduled for publication, whose go-live time has just passed."""
    page = NewsPageFactory(parent=news_index, title="Marché de Noël", live=False)
    page.go_live_at = timezone.now() + dt.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live, "a future go_live_at must only schedule the page"

    # Let the hour pass: move the approved go-live time into the past.
    past = timezone.now() - dt.timedelta(minutes=1)
    revision.refresh_from_db()
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    return page


@pytest.fixture
def expired_page(news_index) -> NewsPage:
    return NewsPageFactory(
        parent=news_index,
        title="Inscriptions closes",
        expire_at=timezone.now() - dt.timedelta(minutes=1),
    )


@pytest.fixture
def restore_signal_handlers():
    """The worker installs SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db
def test_scheduled_job_publishes_due_pages_and_unpublishes_expired_ones(due_page,
                                                                        expired_page):
    jobs.jobs_run_due(names=["publishing.scheduled"], force=True)

    due_page.refresh_from_db()
    assert due_page.live
    assert not Revision.objects.filter(
        object_id=str(due_page.pk), approved_go_live_at__isnull=False).exists()
    expired_page.refresh_from_db()
    assert not expired_page.live and expired_page.expired
    # The go-live and the expiry went through the pipeline: the API and search learnt.
    assert OutboxMessage.objects.filter(category="search", object_id=due_page.pk).exists()
    assert OutboxMessage.objects.filter(category="search", object_id=expired_page.pk).exists()


@worker_db
def test_batch_worker_runs_the_jobs_and_drains_the_outbox(due_page, restore_signal_handlers):
    call_command("run_worker", batch=True, verbosity=0)

    due_page.refresh_from_db()
    assert due_page.live
    assert not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists()
    assert PeriodicJobRun.objects.filter(name="publishing.scheduled").exists()


@worker_db
def test_a_job_runs_once_per_period_across_workers(settings):
    settings.CLOCHER_SCHEDULED_PUBLISHING_INTERVAL = 3600
    first = jobs.jobs_run_due(names=["publishing.scheduled"])
    second = jobs.jobs_run_due(names=["publishing.scheduled"])  # another worker, same period
    assert "publishing.scheduled" in first and "publishing.scheduled" not in second
    assert jobs.jobs_next_due_in() is not None


@worker_db
def test_long_running_loop_publishes_on_time_and_stops(due_page, settings):
    settings.CLOCHER_SCHEDULED_PUBLISHING_INTERVAL = 3600

    class CountingLoop(WorkerLoop):
        ticks = 0

        def tick(self) -> int:
            done = super().tick()
            self.ticks += 1
            return done

    loop = CountingLoop(interval=0.05)
    thread = threading.Thread(target=loop.run)
    thread.start()
    try:
        # Wait on the loop itself, not on the database: SQLite's shared in-memory test
        # database locks a table that two threads use at once.
        deadline = timezone.now() + dt.timedelta(seconds=30)
        while loop.ticks < 2 and timezone.now() < deadline:
            loop.stop.wait(0.05)
    finally:
        loop.stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive() and loop.ticks >= 2
    assert NewsPage.objects.get(pk=due_page.pk).live


@worker_db
def test_a_failing_job_does_not_stop_the_loop(monkeypatch):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("boom")

    jobs.job_register(jobs.Job(name="test.broken", run=broken, every=3600))
    try:
        results = jobs.jobs_run_due(names=["test.broken", "outbox.sweep"], force=True)
    finally:
        jobs._jobs.pop("test.broken")
    assert calls == [1] and isinstance(results["test.broken"], RuntimeError)
    assert "outbox.sweep" in results
    assert "boom" in PeriodicJobRun.objects.get(name="test.broken").last_error

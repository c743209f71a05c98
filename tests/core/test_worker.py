"""The worker publishes scheduled pages without cron (cms/core: tasks, run_worker)."""

import datetime as dt
import logging
import signal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import Revision

from cms.content.models import NewsIndexPage, NewsPage
from cms.core.services import scheduled_publishing_enqueue
from cms.core.tasks import publish_scheduled_pages
from tests.factories import NewsPageFactory, section

# What production runs (cms/settings/base.py); test settings run tasks immediately.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The worker commits each task and recycles its database connection between tasks,
# as a worker process does: its tests commit for real. serialized_rollback brings
# back the locales and page tree that the flush after a previous such test removed.
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
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker(**options):
    options = {"reload": False, "startup_delay": False, "interval": 0.05, "verbosity": 0, **options}
    call_command("run_worker", **options)


@pytest.mark.django_db
def test_task_publishes_due_pages_and_unpublishes_expired_ones(due_page, expired_page):
    result = publish_scheduled_pages.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    due_page.refresh_from_db()
    assert due_page.live
    assert not Revision.objects.filter(
        object_id=str(due_page.pk), approved_go_live_at__isnull=False
    ).exists()
    expired_page.refresh_from_db()
    assert not expired_page.live
    assert expired_page.expired


@worker_db
def test_database_backend_task_runs_in_the_worker(due_page, restore_signal_handlers):
    with override_settings(TASKS=DATABASE_TASKS):
        result = publish_scheduled_pages.enqueue()
        assert result.status == TaskResultStatus.READY
        due_page.refresh_from_db()
        assert not due_page.live, "nothing runs before a worker picks the task up"

        run_worker(batch=True, schedule_interval=0)

        result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    due_page.refresh_from_db()
    assert due_page.live


@worker_db
def test_batch_worker_enqueues_scheduled_publishing_itself(due_page, restore_signal_handlers):
    with override_settings(TASKS=DATABASE_TASKS):
        run_worker(batch=True)

    runs = DBTaskResult.objects.filter(task_path=publish_scheduled_pages.module_path)
    assert [run.status for run in runs] == [TaskResultStatus.SUCCESSFUL]
    due_page.refresh_from_db()
    assert due_page.live


@worker_db  # and the timer thread has its own connection: it must see committed rows
def test_long_running_worker_enqueues_on_a_timer(due_page, restore_signal_handlers):
    # The search and federation drain timers are not under test: kept quiet, they cannot
    # be the one task this worker runs, nor hold SQLite's write lock meanwhile.
    with override_settings(TASKS=DATABASE_TASKS, CLOCHER_SEARCH_DRAIN_INTERVAL=3600,
                           FEDERATION_DRAIN_INTERVAL=3600):
        run_worker(max_tasks=1, schedule_interval=30)

    runs = DBTaskResult.objects.filter(task_path=publish_scheduled_pages.module_path)
    assert [run.status for run in runs] == [TaskResultStatus.SUCCESSFUL]
    due_page.refresh_from_db()
    assert due_page.live


@pytest.mark.django_db
def test_enqueue_skips_when_a_run_is_already_waiting():
    with override_settings(TASKS=DATABASE_TASKS):
        first = scheduled_publishing_enqueue(backend_name="default")
        second = scheduled_publishing_enqueue(backend_name="default")

    assert first is not None
    assert second is None
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


@worker_db
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_logs_tasks_at_the_configured_level(restore_signal_handlers):
    """At the default verbosity the worker leaves its task loggers to LOGGING
    (TASKS_LOG_LEVEL, WARNING): no line per task in the console."""
    for name in ("django_tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(logging.WARNING)
    run_worker(batch=True, verbosity=1)
    assert logging.getLogger("django_tasks").level == logging.WARNING
    assert logging.getLogger("django_tasks_db").level == logging.WARNING
    run_worker(batch=True, verbosity=2)  # asked for: the worker's own debug output
    assert logging.getLogger("django_tasks").level == logging.DEBUG
    for name in ("django_tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(logging.WARNING)

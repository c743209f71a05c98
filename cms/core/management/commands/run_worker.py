"""Run the background worker, which also triggers Wagtail's scheduled publishing.

A Clocher deployment is two processes (Procfile: web and worker) and no cron.
Wagtail applies a page's go_live_at / expire_at only when `publish_scheduled`
runs, so this command is django-tasks-db's `db_worker` (same options, same
worker loop) plus a timer that enqueues `publish_scheduled_pages` every
--schedule-interval seconds; the worker then runs it like any other task.
With --batch the task is enqueued once, before the queue is drained.
"""

import logging
import os
import threading

from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from cms.core.services import scheduled_publishing_enqueue
from search.services import index_drain_enqueue, index_drain_periodically

logger = logging.getLogger(__name__)


class Command(DatabaseWorkerCommand):
    help = "Run the background worker and enqueue scheduled publishing periodically."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-interval",
            default=60.0,
            type=valid_interval,
            help="Seconds between two scheduled-publishing runs; 0 disables them "
            "(default: %(default)r)",
        )

    def configure_logging(self, verbosity: int) -> None:
        # db_worker sets its loggers to INFO at the default verbosity, over LOGGING: one
        # line per task. At that verbosity LOGGING (TASKS_LOG_LEVEL) decides instead.
        if verbosity != 1:
            super().configure_logging(verbosity)

    def handle(self, *, schedule_interval: float, **options) -> None:
        backend_name = options["backend_name"]
        batch = options["batch"]
        # With --reload, this process only restarts a child that runs handle() again:
        # the timer belongs in that child.
        reloader_parent = (
            options["reload"] and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if not schedule_interval or reloader_parent:
            super().handle(**options)
            return
        if batch:
            scheduled_publishing_enqueue(backend_name=backend_name)
            index_drain_enqueue(backend_name=backend_name)  # search: pending index writes
            from federation.tasks import federation_drain

            federation_drain.enqueue()  # federation/: due deliveries and inbox messages
            super().handle(**options)
            return

        stop = threading.Event()
        timer = threading.Thread(
            target=self._enqueue_periodically,
            kwargs={"backend_name": backend_name, "interval": schedule_interval, "stop": stop},
            name="scheduled-publishing",
            daemon=True,
        )
        timer.start()
        # Search: retry index writes left pending by an engine outage (search/services.py).
        threading.Thread(target=index_drain_periodically, name="search-drain", daemon=True,
                         kwargs={"backend_name": backend_name, "stop": stop}).start()
        # federation/: retries and anything a crashed web process did not enqueue.
        federation_timer = threading.Thread(
            target=self._enqueue_federation_periodically, kwargs={"stop": stop},
            name="federation-drain", daemon=True,
        )
        federation_timer.start()
        try:
            super().handle(**options)
        finally:
            stop.set()
            timer.join(timeout=5)
            federation_timer.join(timeout=5)

    @staticmethod
    def _enqueue_federation_periodically(*, stop: threading.Event) -> None:
        from django.conf import settings

        from federation.tasks import federation_drain

        while not stop.wait(settings.FEDERATION_DRAIN_INTERVAL):
            try:
                federation_drain.enqueue()
            except Exception:
                logger.exception("Could not enqueue the federation drain")
            finally:
                close_old_connections()

    @staticmethod
    def _enqueue_periodically(*, backend_name: str, interval: float, stop: threading.Event):
        while not stop.is_set():
            try:
                scheduled_publishing_enqueue(backend_name=backend_name)
            except Exception:
                # A locked or briefly unreachable database must not kill the timer.
                logger.exception("Could not enqueue scheduled publishing")
            finally:
                close_old_connections()
            stop.wait(interval)

"""Run the background worker: one loop for the outbox and the periodic jobs.

A Clocher deployment is two processes (Procfile: web and worker) and no cron. The
loop (cms/publishing/worker.py) drains the outbox by category (search index,
ActivityPub, change feed, …) and runs the periodic jobs every app registers
(scheduled publishing, federation retries, change-feed retention, outbox sweeps).
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandParser

from cms.publishing.worker import WorkerLoop

logger = logging.getLogger(__name__)


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be positive")
    return number


class Command(BaseCommand):
    help = "Run the background worker: drain the outbox and run the periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=_positive, default=1.0,
                            help="Seconds to sleep after a pass that found nothing to do "
                                 "(default: %(default)s)")
        parser.add_argument("--batch", action="store_true",
                            help="Run every periodic job once, drain the outbox, then exit.")

    def handle(self, *, interval: float, batch: bool, **options) -> None:
        loop = WorkerLoop(interval=interval)
        if batch:
            done = loop.run_batch()
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} outbox rows done")
            return
        stop: threading.Event = loop.stop
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())
        logger.info("worker started (interval %.2f s)", interval)
        loop.run()
        logger.info("worker stopped")

"""Delete change-feed rows older than the retention; older cursors get 410."""

import datetime as dt

from django.core.management.base import BaseCommand

from cms.readmodel import changes, conf


class Command(BaseCommand):
    help = "Prune the API change feed (default retention: CLOCHER_API_CHANGES_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days: int | None, **options):
        days = conf.changes_retention_days() if days is None else days
        changes.changes_assign_sequence()
        deleted = changes.changes_prune(older_than=dt.timedelta(days=days))
        self.stdout.write(f"{deleted} changes older than {days} days pruned")

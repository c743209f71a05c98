"""Compare the database with the search index, repair drift, print a report."""

from django.core.management.base import BaseCommand

from search.maintenance import search_reconcile


class Command(BaseCommand):
    help = "Compare live pages with the search index and repair the differences."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report only.")
        parser.add_argument("--purge-tombstones", action="store_true",
                            help="Also delete tombstones of pages long gone.")

    def handle(self, *, dry_run: bool, purge_tombstones: bool, **options) -> None:
        report = search_reconcile(repair=not dry_run, purge_tombstones=purge_tombstones)
        self.stdout.write(
            f"database: {report.in_database} live items; index: {report.in_index} live "
            f"documents\nmissing from the index: {len(report.missing)} "
            f"{report.missing[:20]}\nstale in the index: {len(report.stale)} "
            f"{report.stale[:20]}\npending outbox rows: {report.pending_outbox}\n"
            f"tombstones purged: {report.purged_tombstones}\n"
            f"{'repaired' if report.repaired else 'nothing repaired'}")

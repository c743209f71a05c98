"""Rebuild the search index with zero downtime (new versioned indices, alias swap)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.maintenance import search_rebuild


class Command(BaseCommand):
    help = "Build fresh versioned indices, replay changes made meanwhile, swap the aliases."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *, batch_size: int, no_progress: bool, **options) -> None:
        bar = tqdm(total=0, unit="doc", disable=no_progress, file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = search_rebuild(progress=progress, batch_size=batch_size)
        bar.close()
        self.stdout.write(f"indexed {report.indexed} documents into "
                          f"{', '.join(report.target.values()) or '-'}; replayed outbox "
                          f"through #{report.replayed_through}; aliases swapped")

"""Rebuild the API read model from live pages (after a bulk seed or import)."""

import time

from django.core.management.base import BaseCommand

from cms.readmodel import services


class Command(BaseCommand):
    help = "Rebuild the public API's read model (PublishedItem) from every live content page."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=services.REBUILD_BATCH_SIZE)

    def handle(self, *args, batch_size: int, verbosity: int, **options):
        started = time.monotonic()

        def progress(model, total):
            if verbosity > 1:
                self.stdout.write(f"{model.__name__}: {total} items so far")

        total = services.items_rebuild(batch_size=batch_size, progress=progress)
        self.stdout.write(self.style.SUCCESS(
            f"{total} API items rebuilt in {time.monotonic() - started:.1f} s"))

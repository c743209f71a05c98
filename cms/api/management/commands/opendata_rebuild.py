"""Rebuild every commune's open-data files, the platform export and the catalogue."""

from django.core.management.base import BaseCommand

from cms.api.opendata.build import opendata_rebuild_all


class Command(BaseCommand):
    help = "Rebuild the open-data files (the worker keeps them up to date afterwards)."

    def handle(self, *args, **options):
        count = opendata_rebuild_all()
        self.stdout.write(f"Open data rebuilt for {count} communes and the platform.")

"""manage.py setup_roles [--animateur NAME --insee 44052,44103]"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cms.communes.roles import animateur_group_setup, commune_roles_setup
from cms.communes.selectors import commune_get, commune_list


class Command(BaseCommand):
    help = (
        "(Re)apply every commune's groups, image collection and moderation workflow; "
        "with --animateur, also make that group moderate exactly the communes given by --insee. "
        "Idempotent: run it again after translating a commune or changing the roles' code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--animateur",
            metavar="NAME",
            help='Create or update this animateur group (e.g. "Animation — CARENE").',
        )
        parser.add_argument(
            "--insee",
            action="append",
            default=[],
            metavar="CODE[,CODE...]",
            help="Communes the animateur covers, by INSEE code or slug (repeatable).",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        codes = [code.strip() for value in options["insee"] for code in value.split(",")]
        codes = [code for code in codes if code]
        if codes and not options["animateur"]:
            raise CommandError("--insee names an animateur's communes: add --animateur NAME.")

        communes = list(commune_list(live_only=False))
        for commune in communes:
            commune_roles_setup(commune=commune)
        self.stdout.write(f"Roles set up for {len(communes)} commune(s).")

        if options["animateur"]:
            covered = []
            for code in codes:
                commune = commune_get(insee_code_or_slug=code)
                if commune is None:
                    raise CommandError(f"No commune {code!r}. Nothing was changed.")
                covered.append(commune)
            group = animateur_group_setup(name=options["animateur"], communes=covered)
            self.stdout.write(f"{group.name}: {len(covered)} commune(s).")

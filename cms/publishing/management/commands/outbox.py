"""List the outbox by category and state, show dead letters, retry them."""

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from cms.publishing.models import OutboxMessage, OutboxState
from cms.publishing.outbox import outbox_drain, outbox_retry


class Command(BaseCommand):
    help = "Inspect the outbox: `status`, `dead` (list dead letters), `retry`, `drain`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "dead", "retry", "drain"])
        parser.add_argument("--category", default=None)
        parser.add_argument("--id", type=int, action="append", dest="ids",
                            help="a dead row to retry (repeatable); default: all")

    def handle(self, *, action: str, category: str | None, ids: list[int] | None, **options):
        rows = OutboxMessage.objects.all()
        if category:
            rows = rows.filter(category=category)
        if action == "status":
            for line in (rows.values("category", "state").annotate(n=Count("id"))
                         .order_by("category", "state")):
                self.stdout.write(f"{line['category']:<28} {line['state']:<8} {line['n']}")
        elif action == "dead":
            for row in rows.filter(state=OutboxState.DEAD).order_by("id")[:200]:
                self.stdout.write(f"#{row.pk} {row.category}:{row.object_id} "
                                  f"{row.attempts} attempts, {row.done_at:%Y-%m-%d %H:%M}: "
                                  f"{row.last_error[:200]}")
        elif action == "retry":
            count = outbox_retry(ids=ids, category=category)
            self.stdout.write(f"{count} dead rows queued again")
        else:
            report = outbox_drain(categories=[category] if category else None, force=True)
            self.stdout.write(f"{report.done} done, {report.failed} retried later, "
                              f"{report.dead} dead")

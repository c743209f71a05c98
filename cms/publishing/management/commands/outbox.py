"""List the outbox by category and state, show dead letters and failing rows, retry
them; list the periodic jobs with their failures."""

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from cms.publishing.models import OutboxMessage, OutboxState, PeriodicJobRun
from cms.publishing.outbox import outbox_drain, outbox_retry


class Command(BaseCommand):
    help = ("Inspect the outbox: `status`, `dead` (list dead letters), `failing` (pending "
            "rows that failed at least once), `retry`, `drain`; `jobs` (periodic jobs).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "dead", "failing", "retry", "drain",
                                                       "jobs"])
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
        elif action == "failing":
            for row in (rows.filter(state=OutboxState.PENDING, attempts__gt=0)
                        .order_by("-attempts", "id")[:200]):
                self.stdout.write(f"#{row.pk} {row.category}:{row.object_id} "
                                  f"{row.attempts} attempts: {row.last_error[:200]}")
        elif action == "jobs":
            for run in PeriodicJobRun.objects.order_by("name"):
                failed = (f"{run.failures} failures, last {run.last_failed_at:%Y-%m-%d %H:%M}: "
                          f"{run.last_error[:200]}" if run.failures else "ok")
                self.stdout.write(f"{run.name:<28} next {run.next_run_at:%Y-%m-%d %H:%M:%S}  "
                                  f"{failed}")
        elif action == "retry":
            count = outbox_retry(ids=ids, category=category)
            self.stdout.write(f"{count} dead rows queued again")
        else:
            report = outbox_drain(categories=[category] if category else None, force=True)
            self.stdout.write(f"{report.done} done, {report.failed} retried later, "
                              f"{report.dead} dead")

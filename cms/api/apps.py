import datetime as dt

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cms.api"
    label = "clocher_api"
    verbose_name = "API publique"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.publishing.jobs import Job, job_register
        from cms.publishing.outbox import Consumer, consumer_register
        from cms.publishing.services import CHANGE_FEED

        from . import conf, services

        # Partners wait for these numbers: numbered by the committing process at once,
        # by the worker when that process died first.
        consumer_register(Consumer(
            category=CHANGE_FEED, handle=lambda rows: services.changes_assign_sequence(),
            drain_on_commit=True, done_retention=dt.timedelta(hours=1),
            description="number the change feed's new events"))
        job_register(Job(
            name="changes.prune", every=3600,
            run=lambda: services.changes_prune(
                older_than=dt.timedelta(days=conf.changes_retention_days()))))

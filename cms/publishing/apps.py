import datetime as dt

from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "cms.publishing"
    label = "publishing"
    verbose_name = "Publication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.management import call_command

        from cms.readmodel import changes as change_feed
        from cms.readmodel import conf as read_model_conf
        from cms.readmodel.audience import audience_prune

        from . import checks, signals  # noqa: F401 (checks: registers the outbox check)
        from .categories import CHANGE_FEED
        from .jobs import Job, job_register
        from .outbox import Consumer, consumer_register, outbox_append, outbox_sweep
        from .tasks_backend import TASKS, tasks_run

        signals.connect()
        consumer_register(Consumer(category=TASKS, handle=tasks_run, batch_size=50,
                                   max_attempts=5, coalesce=False,
                                   description="Wagtail's own tasks (django-tasks)"))
        # Wagtail applies go_live_at / expire_at only when publish_scheduled runs; its
        # publishes and unpublishes come back through the pipeline's receivers.
        job_register(Job(name="publishing.scheduled",
                         every=lambda: settings.CLOCHER_SCHEDULED_PUBLISHING_INTERVAL,
                         run=lambda: call_command("publish_scheduled")))
        job_register(Job(name="outbox.sweep", every=3600, run=outbox_sweep))
        job_register(Job(name="audience.prune", every=3600, run=audience_prune))
        # The change feed: each recorded batch asks for numbering in its transaction;
        # partners wait for these numbers, given by the committing process at once, by
        # the worker when that process died first. Sequencing never happens in a GET.
        change_feed.changes_recorded_notify(lambda: outbox_append(category=CHANGE_FEED))
        consumer_register(Consumer(
            category=CHANGE_FEED, handle=lambda rows: change_feed.changes_assign_sequence(),
            drain_on_commit=True, done_retention=dt.timedelta(hours=1),
            description="number the change feed's new events"))
        job_register(Job(
            name="changes.prune", every=3600,
            run=lambda: change_feed.changes_prune(older_than=dt.timedelta(
                days=read_model_conf.changes_retention_days()))))

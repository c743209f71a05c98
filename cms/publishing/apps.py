from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "cms.publishing"
    label = "publishing"
    verbose_name = "Publication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.management import call_command

        from . import checks, signals  # noqa: F401 (checks: registers the outbox check)
        from .audience import audience_prune
        from .jobs import Job, job_register
        from .outbox import Consumer, consumer_register, outbox_sweep
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

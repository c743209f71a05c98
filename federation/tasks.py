"""Background work of federation: fan-out, deliveries, inbox (django-tasks)."""

from django_tasks import task

from .activitypub import worker


@task()
def federation_drain() -> dict[str, int]:
    """Fan out new activities, send due deliveries, apply due inbox messages."""
    return worker.drain()

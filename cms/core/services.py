"""Writes that are not about one app's content: scheduling periodic tasks."""

from django_tasks import TaskResult, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .tasks import publish_scheduled_pages


def scheduled_publishing_enqueue(*, backend_name: str) -> TaskResult | None:
    """Enqueue `publish_scheduled_pages` on a database backend unless one is waiting.

    Every worker calls this on a timer; skipping when a run is already queued keeps
    the queue from filling up while workers are busy or several of them are running.
    Return the new task result, or None when one was already waiting.
    """
    waiting = DBTaskResult.objects.filter(
        backend_name=backend_name,
        task_path=publish_scheduled_pages.module_path,
        status=TaskResultStatus.READY,
    )
    if waiting.exists():
        return None
    return publish_scheduled_pages.using(backend=backend_name).enqueue()

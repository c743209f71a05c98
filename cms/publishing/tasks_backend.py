"""A django-tasks backend that queues Wagtail's own tasks (reference index, admin
search, file deletion) in the publishing outbox, so there is one queue and one loop.

`TASKS = {"default": {"BACKEND": "cms.publishing.tasks_backend.OutboxTaskBackend"}}`;
the "tasks" category's handler (registered by this app) imports and runs each task.
Tasks are enqueued after the current transaction commits, as django-tasks' database
backend does by default; they carry no result the caller can read back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id, normalize_json

from .outbox import RetryLater, outbox_append

TASKS = "tasks"


class OutboxTaskBackend(BaseTaskBackend):
    supports_defer = False
    supports_async_task = False
    supports_get_result = False
    supports_priority = False

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        payload = {"task": task.module_path, "args": normalize_json(list(args)),
                   "kwargs": normalize_json(dict(kwargs))}
        outbox_append(category=TASKS, payload=payload)
        return TaskResult(task=task, id=get_random_id(), status=TaskResultStatus.READY,
                          enqueued_at=timezone.now(), started_at=None, finished_at=None,
                          last_attempted_at=None, args=list(args), kwargs=dict(kwargs),
                          backend=self.alias, errors=[], worker_ids=[])


def tasks_run(rows) -> None:
    """The "tasks" outbox handler: run each task; a failure retries the batch's rest."""
    for row in rows:
        task = import_string(row.payload["task"])
        try:
            with transaction.atomic():
                task.call(*row.payload.get("args", []), **row.payload.get("kwargs", {}))
        except Exception as error:
            raise RetryLater(f"{row.payload['task']}: {error}") from error

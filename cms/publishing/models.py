"""The one outbox: work that must happen after a commit, one row per consumer category.

Rows are written in the transaction of the change that needs them (a rollback records
nothing, a commit is never lost even when every worker is down) and drained by the
worker loop (`outbox.outbox_drain`). See docs/architecture.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("en attente")
    DONE = "done", _("traité")
    DEAD = "dead", _("abandonné")


class OutboxMessage(models.Model):
    category = models.CharField(max_length=32)
    # What the work is about (a page id, a commune id, an activity id; 0 when the
    # category has one object): rows of one category and object coalesce to the newest.
    object_id = models.BigIntegerField(default=0)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=OutboxState.choices,
                             default=OutboxState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message de l'outbox")
        verbose_name_plural = _("messages de l'outbox")
        indexes = [
            models.Index(fields=["category", "state", "next_attempt_at", "id"],
                         name="publishing_outbox_due"),
            models.Index(fields=["category", "object_id", "id"], name="publishing_outbox_object"),
            models.Index(fields=["state", "done_at"], name="publishing_outbox_retention"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}:{self.object_id} ({self.state})"


class PeriodicJobRun(models.Model):
    """When a periodic job (jobs.py) is next due. A worker claims a run by moving
    `next_run_at` forward in one conditional UPDATE, so with several workers each run
    happens once, with no lock held while it runs."""

    name = models.CharField(max_length=64, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Failures since the last success: what `manage.py outbox jobs` shows an operator.
    failures = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M:%S})"

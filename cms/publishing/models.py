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

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M:%S})"


class AudienceState(models.TextChoices):
    OWN = "own", _("propre")
    ACCEPTED = "accepted", _("accepté")
    FEATURED = "featured", _("mis en avant")
    PENDING = "pending", _("en attente")
    HIDDEN = "hidden", _("masqué")
    DECLINED = "declined", _("refusé")


# The states in which a commune shows an item to the public.
PUBLIC_STATES = (AudienceState.OWN, AudienceState.ACCEPTED, AudienceState.FEATURED)


class Audience(models.Model):
    """Who sees an item: one row per item (all its translations) and commune.

    The one answer every public surface reads (the site, the API, search, feeds, the
    widget): a commune shows an item in its own places only in a PUBLIC_STATES row, and
    an item with no such row anywhere (remote content still pending review) is shown
    nowhere, not even at its own URL. Written by the publishing pipeline alone
    (audience.py), from the item's commune and the sharing decisions of federation/.
    """

    translation_key = models.UUIDField()
    # Source-locale communes; `commune_key` finds the rows from a commune in any locale.
    commune = models.ForeignKey("communes.CommuneHomePage", on_delete=models.CASCADE,
                                related_name="+")
    commune_key = models.UUIDField()
    # The commune the item belongs to (its own row's commune): "via …" on listings.
    origin = models.ForeignKey("communes.CommuneHomePage", on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=12)
    state = models.CharField(max_length=10, choices=AudienceState.choices)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        constraints = [
            models.UniqueConstraint(fields=["translation_key", "commune"],
                                    name="publishing_audience_unique"),
        ]
        indexes = [
            models.Index(fields=["commune", "state", "kind", "translation_key"],
                         name="publishing_audience_commune"),
            models.Index(fields=["commune_key", "state", "translation_key"],
                         name="publishing_audience_key"),
            models.Index(fields=["translation_key", "state"], name="publishing_audience_item"),
        ]

    def __str__(self) -> str:
        return f"{self.translation_key} @ {self.commune_id}: {self.state}"

"""The change feed: what a partner replays to keep an exact mirror.

Rows are written in the publishing transaction with `seq` NULL; one serialized
step (`changes_assign_sequence`) numbers them after commit. Readers only see
numbered rows, and a row committed late gets a number later than anything a
reader has already seen, so a cursor (the last seq seen) never skips a change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATED = "created", _("créé")
    UPDATED = "updated", _("modifié")
    UNPUBLISHED = "unpublished", _("dépublié")
    DELETED = "deleted", _("supprimé")


class Change(models.Model):
    seq = models.BigIntegerField(null=True, unique=True)
    # Plain integers, not foreign keys: tombstones outlive their page and commune.
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=12)
    locale = models.CharField(max_length=8)
    commune_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=12, choices=ChangeAction.choices)
    # The item as a list/detail would show it; None for tombstones.
    payload = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["item_id"], name="api_change_item")]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action} {self.kind} {self.item_id}"


class ChangeAudience(models.Model):
    """A commune, other than the item's own, that a change concerns: one the item is
    shared into (`present`), or one it has just left (not `present`). A change feed
    filtered by commune reads these, so a receiving commune's mirror follows the items
    shared with it, and drops those that stop being."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="audience")
    commune_id = models.BigIntegerField()
    present = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["commune_id", "change"], name="api_change_audience")]

    def __str__(self) -> str:
        return f"{self.change_id} → {self.commune_id} ({'in' if self.present else 'out'})"


class ChangeSequence(models.Model):
    """Singleton row: the last seq handed out (locked while numbering) and the
    retention watermark (cursors older than `pruned_through` must resync)."""

    last_seq = models.BigIntegerField(default=0)
    pruned_through = models.BigIntegerField(default=0)
    # Bumped by a rebuild of the read model, which records no changes: list ETags
    # derive from it and from the newest change.
    generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"seq {self.last_seq} (pruned through {self.pruned_through})"

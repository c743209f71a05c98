"""ActivityPub state: keys, remote actors, follows, inbox and delivery state machines.

Inbox messages and deliveries are state machines in the manner of Takahē's stator:
a `state` field, the allowed transitions in `TRANSITIONS`, a retry time
(`next_attempt_at`), a deadline, and one handler per state (`handle_<state>()` in
federation/activitypub/inbox_messages.py and delivery.py).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvalidTransitionError(Exception):
    pass


class StateMachine(models.Model):
    """A row whose `state` may only move along TRANSITIONS."""

    TRANSITIONS: dict[str, set[str]] = {}

    state_changed_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True

    def transition(self, new_state: str) -> None:
        if new_state != self.state and new_state not in self.TRANSITIONS.get(self.state, set()):
            raise InvalidTransitionError(f"{type(self).__name__}: {self.state} -> {new_state}")
        self.state = new_state
        self.state_changed_at = timezone.now()


class ActorKey(models.Model):
    """A local commune's signing key; the private half is encrypted at rest (Fernet)."""

    commune = models.OneToOneField("communes.CommuneHomePage", on_delete=models.CASCADE,
                                   related_name="ap_key")
    generation = models.PositiveIntegerField(default=1)
    public_key_pem = models.TextField()
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'acteur")

    def __str__(self) -> str:
        return f"{self.commune} (clé n° {self.generation})"


class InstanceKey(models.Model):
    """The server's own signing key (the instance actor, /ap/actor): it signs the GETs
    this server sends, so servers that require signed fetches answer them. One row."""

    public_key_pem = models.TextField()
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clé du serveur")

    def __str__(self) -> str:
        return "clé du serveur"


class RemoteActor(models.Model):
    """An actor on another server, as last fetched from its origin."""

    url = models.URLField(max_length=500, unique=True)
    domain = models.CharField(max_length=255, db_index=True)
    type = models.CharField(max_length=40, blank=True)
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    followers_url = models.URLField(max_length=500, blank=True)
    preferred_username = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=255, blank=True)
    summary = models.TextField(blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    insee_code = models.CharField(max_length=5, blank=True)
    public_key_id = models.URLField(max_length=500, blank=True, db_index=True)
    public_key_pem = models.TextField(blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    # The local mirror of a followed remote commune (its received pages live under it).
    mirror = models.OneToOneField("communes.CommuneHomePage", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="remote_actor")

    class Meta:
        verbose_name = _("acteur distant")

    def __str__(self) -> str:
        return self.url

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class FollowDirection(models.TextChoices):
    INBOUND = "inbound", _("un acteur distant suit la commune")
    OUTBOUND = "outbound", _("la commune suit un acteur distant")


class FollowState(models.TextChoices):
    PENDING = "pending", _("en attente")
    ACCEPTED = "accepted", _("accepté")
    REJECTED = "rejected", _("refusé")
    UNDONE = "undone", _("annulé")


class Follow(models.Model):
    commune = models.ForeignKey("communes.CommuneHomePage", on_delete=models.CASCADE,
                                related_name="ap_follows")
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE,
                                     related_name="follows")
    direction = models.CharField(max_length=10, choices=FollowDirection.choices)
    state = models.CharField(max_length=10, choices=FollowState.choices,
                             default=FollowState.PENDING)
    ap_id = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "remote_actor", "direction"],
                                               name="federation_follow_unique")]

    def __str__(self) -> str:
        return f"{self.commune} {self.direction} {self.remote_actor}"


class OutboxActivity(models.Model):
    """An activity a local commune sends; recorded in the transaction that caused it."""

    commune = models.ForeignKey("communes.CommuneHomePage", null=True,
                                on_delete=models.SET_NULL, related_name="+")
    ap_id = models.URLField(max_length=500, unique=True)
    activity = models.JSONField()
    activity_type = models.CharField(max_length=20, blank=True)
    object_id = models.URLField(max_length=500, blank=True, db_index=True)
    # Explicit inboxes; empty means "the commune's followers" (resolved at fan-out).
    inboxes = models.JSONField(default=list, blank=True)
    fanned_out = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.ap_id


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("à envoyer")
    DELIVERED = "delivered", _("livrée")
    DEAD = "dead", _("abandonnée (lettre morte)")
    CANCELLED = "cancelled", _("annulée")


class Delivery(StateMachine):
    """One activity to one inbox."""

    TRANSITIONS = {
        DeliveryState.QUEUED: {DeliveryState.DELIVERED, DeliveryState.DEAD,
                               DeliveryState.CANCELLED},
        DeliveryState.DEAD: {DeliveryState.QUEUED},
        DeliveryState.DELIVERED: set(),
        DeliveryState.CANCELLED: set(),
    }

    activity = models.ForeignKey(OutboxActivity, on_delete=models.CASCADE,
                                 related_name="deliveries")
    inbox = models.URLField(max_length=500)
    host = models.CharField(max_length=255, db_index=True)
    state = models.CharField(max_length=12, choices=DeliveryState.choices,
                             default=DeliveryState.QUEUED, db_index=True)
    deadline = models.DateTimeField()
    last_status = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("livraison")
        constraints = [models.UniqueConstraint(fields=["activity", "inbox"],
                                               name="federation_delivery_once_per_inbox")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.inbox}"


class HostHealth(models.Model):
    """Per-host circuit breaker for deliveries."""

    host = models.CharField(max_length=255, unique=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.host


class InboxState(models.TextChoices):
    RECEIVED = "received", _("reçu")
    PROCESSED = "processed", _("traité")
    IGNORED = "ignored", _("ignoré")
    FAILED = "failed", _("en échec")


class InboxMessage(StateMachine):
    """A verified inbound activity, stored raw by the inbox view, applied by a worker."""

    TRANSITIONS = {
        InboxState.RECEIVED: {InboxState.PROCESSED, InboxState.IGNORED, InboxState.FAILED},
        InboxState.FAILED: {InboxState.RECEIVED},
        InboxState.PROCESSED: set(),
        InboxState.IGNORED: set(),
    }

    # Unique: a replayed activity id has no effect (the row is also the replay record,
    # so accepting a POST is one INSERT).
    activity_id = models.URLField(max_length=500, unique=True)
    actor_url = models.URLField(max_length=500)
    # The commune whose inbox received it (null for the shared inbox).
    commune = models.ForeignKey("communes.CommuneHomePage", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    body = models.JSONField()
    state = models.CharField(max_length=10, choices=InboxState.choices,
                             default=InboxState.RECEIVED, db_index=True)
    deadline = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.activity_id


class ObjectVersion(models.Model):
    """What one actor did to a remote object: the newest version it sent, or its
    tombstone.

    Objects are owned per actor, not per host: the actor whose Create (or first Update)
    was applied owns the object (`is_owner`, one owner per object) and only it may
    change or delete it. A Delete of an object nobody owns yet leaves a tombstone for
    its actor only: it stops that actor's own late Create, not another actor's.
    """

    ap_id = models.URLField(max_length=500, db_index=True)
    actor_url = models.URLField(max_length=500)
    is_owner = models.BooleanField(default=False)
    version = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    page = models.ForeignKey("wagtailcore.Page", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ap_id", "actor_url"],
                                    name="federation_objectversion_per_actor"),
            models.UniqueConstraint(fields=["ap_id"], condition=models.Q(is_owner=True),
                                    name="federation_objectversion_one_owner"),
        ]

    def __str__(self) -> str:
        return self.ap_id


class LocalTombstone(models.Model):
    """A local object that was deleted: its URL answers 410 with a Tombstone."""

    ap_id = models.URLField(max_length=500, unique=True)
    former_type = models.CharField(max_length=40)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.ap_id


class BlockedDomain(models.Model):
    domain = models.CharField(_("domaine"), max_length=255, unique=True)
    reason = models.CharField(_("raison"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("domaine bloqué")
        verbose_name_plural = _("domaines bloqués")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        from federation.domains import domain_normalized

        self.domain = domain_normalized(self.domain) or self.domain.strip().lower()
        super().save(*args, **kwargs)

"""Residents' subscriptions and the deliveries made to them (docs/notify.md).

Only what a delivery needs is stored (RGPD): an address, a number or a push endpoint,
the choices, and the log of what was sent, swept after NOTIFY_DELIVERY_RETENTION_DAYS.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def _nonce() -> str:
    return secrets.token_urlsafe(12)


class AlertChoice(models.TextChoices):
    URGENT = "urgent", _("Les alertes urgentes seulement")
    ALL = "all", _("Toutes les alertes")
    NONE = "none", _("Aucune alerte")


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Un résumé par jour")
    WEEKLY = "weekly", _("Un résumé par semaine")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PUSH = "push", _("notification")
    SMS = "sms", _("SMS")


class Subscriber(models.Model):
    """One resident's choices; no account, reached through signed links only."""

    email = models.EmailField(_("adresse e-mail"), blank=True, db_index=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(_("numéro de mobile"), max_length=16, blank=True, db_index=True)
    phone_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The SMS confirmation code, hashed (sha256 hex); empty once confirmed.
    phone_code_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="fr")
    communes = models.ManyToManyField("communes.CommuneHomePage", related_name="+")
    alerts = models.CharField(max_length=8, choices=AlertChoice.choices,
                              default=AlertChoice.URGENT)
    news = models.BooleanField(default=False)
    events = models.BooleanField(default=False)
    # Category slugs (translation-independent); empty: every category.
    categories = models.JSONField(default=list, blank=True)
    digest = models.CharField(max_length=8, choices=DigestFrequency.choices,
                              default=DigestFrequency.DAILY)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    # Part of every signed link: a new nonce revokes the links sent before.
    link_nonce = models.CharField(max_length=24, default=_nonce)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonné")
        verbose_name_plural = _("abonnés")

    def __str__(self) -> str:
        from .privacy import mask_email, mask_phone

        return mask_email(self.email) or mask_phone(self.phone) or f"#{self.pk}"

    @property
    def email_active(self) -> bool:
        return bool(self.email and self.email_confirmed_at)

    @property
    def sms_active(self) -> bool:
        return bool(self.phone and self.phone_confirmed_at)


class PushSubscription(models.Model):
    """One browser's Web Push subscription (RFC 8030 endpoint, RFC 8291 keys)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.endpoint).netloc


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("en attente")
    DIGEST = "digest", _("pour le résumé")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec")
    CANCELLED = "cancelled", _("annulé")


class Delivery(models.Model):
    """One item to one subscriber on one channel: the idempotency key of the send
    (unique), and its log."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    translation_key = models.UUIDField()
    kind = models.CharField(max_length=12)
    urgent = models.BooleanField(default=False)
    # The item's own commune (source locale): whose SMS budget an SMS spends.
    origin = models.ForeignKey("communes.CommuneHomePage", on_delete=models.CASCADE,
                               related_name="+")
    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        constraints = [models.UniqueConstraint(
            fields=["subscriber", "channel", "translation_key"],
            name="notify_delivery_once_per_item")]
        indexes = [models.Index(fields=["state", "channel", "next_attempt_at"]),
                   models.Index(fields=["translation_key", "channel", "state"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.translation_key} → {self.subscriber_id}: {self.state}"


class SmsUsage(models.Model):
    """SMS sent for a commune's items in one month (the monthly cap)."""

    commune = models.ForeignKey("communes.CommuneHomePage", on_delete=models.CASCADE,
                                related_name="+")
    month = models.DateField()  # its first day
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "month"],
                                               name="notify_sms_usage_month")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.month:%Y-%m}: {self.sent}"

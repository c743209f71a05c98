"""Partner API keys and their daily usage."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.communes.models import CommuneHomePage


class ApiKey(models.Model):
    name = models.CharField(_("nom"), max_length=120)
    # The first characters of the token, stored in clear: lets admins and logs name a
    # key without holding the secret.
    prefix = models.CharField(_("préfixe"), max_length=16, unique=True, editable=False)
    # SHA-256 of a 256-bit random token. A slow password hasher defends guessable
    # secrets; ours are random and this check runs on every request.
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    communes = models.ManyToManyField(
        CommuneHomePage, blank=True, related_name="+", verbose_name=_("communes autorisées"),
        help_text=_("Vide : toutes les communes."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("requêtes par minute"), default=600)
    cors_origins = models.TextField(
        _("origines CORS"), blank=True,
        help_text=_("Une origine par ligne, ex. https://www.office-tourisme.fr"),
    )
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True,
                                        editable=False)

    class Meta:
        verbose_name = _("clé d'API")
        verbose_name_plural = _("clés d'API")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def requests_today(self) -> int:
        from django.utils import timezone

        usage = self.usage.filter(day=timezone.localdate()).first()
        return usage.requests if usage else 0

    @property
    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.cors_origins.splitlines()
                if line.strip()]


class ApiKeyUsage(models.Model):
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="api_key_usage_day")]
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.requests}"

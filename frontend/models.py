"""Residents' contributions: who proposed which draft, so they can be told its fate."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Contribution(models.Model):
    """A resident's proposal; the page itself is a draft in the commune's workflow."""

    class Kind(models.TextChoices):
        EVENT = "event", _("un événement")
        NEWS = "news", _("une actualité")
        DIRECTORY = "directory", _("une fiche d'annuaire (association, commerce…)")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        PUBLISHED = "published", _("publiée")
        DECLINED = "declined", _("refusée")

    page = models.OneToOneField("wagtailcore.Page", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    commune = models.ForeignKey("communes.CommuneHomePage", on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=255)
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("courriel"))
    # The language of the form the resident used: every email they get is in it.
    language = models.CharField(_("langue"), max_length=8, default="fr")
    # Rate limiting counts recent contributions per address.
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices,
                              default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the moderator wrote when declining or asking for changes (sent to the resident).
    moderator_comment = models.TextField(_("commentaire du modérateur"), blank=True)

    class Meta:
        verbose_name = _("contribution d'habitant")
        verbose_name_plural = _("contributions d'habitants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

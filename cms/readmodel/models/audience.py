"""Who sees an item: the one audience table (see cms/readmodel/audience.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    (cms/readmodel/audience.py), from the item's commune and the sharing decisions of federation/.
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
                                    name="audience_unique"),
        ]
        indexes = [
            models.Index(fields=["commune", "state", "kind", "translation_key"],
                         name="audience_commune"),
            models.Index(fields=["commune_key", "state", "translation_key"],
                         name="audience_key"),
            models.Index(fields=["translation_key", "state"], name="audience_item"),
        ]

    def __str__(self) -> str:
        return f"{self.translation_key} @ {self.commune_id}: {self.state}"

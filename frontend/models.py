"""Residents' contributions: who proposed which draft, so they can be told its fate."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


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


def validate_main_colour(value: str) -> None:
    """A #rrggbb colour on which white text stays readable (WCAG AA, 4.5:1)."""
    from .identity import AA_NORMAL_TEXT, HEX_COLOUR, worst_contrast

    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Indiquez une couleur au format #rrvvbb, par exemple #1d4e89."))
    ratio = worst_contrast(value)
    if ratio < AA_NORMAL_TEXT:
        raise ValidationError(
            _("Cette couleur est trop claire : le texte blanc posé dessus, ou ses liens sur "
              "les encadrés d'alerte, auraient un contraste de %(ratio).1f:1 ; il faut au "
              "moins 4,5:1 (WCAG AA). Choisissez une teinte plus foncée."),
            params={"ratio": ratio}, code="contrast")


@register_setting(icon="image")
class CommuneIdentity(BaseSiteSetting):
    """A commune's look on its site, its installed app, its Fediverse profile and widget.

    Everything is optional: without it the site shows a default drawn from the commune's
    name (frontend/identity.py). Who may edit it is per site (Wagtail's site permissions:
    give the commune's communicants `change` on their own site only)."""

    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("logo ou blason"),
        help_text=_("Carré de préférence ; affiché dans l'en-tête, l'application et le "
                    "profil Fediverse."))
    colour = models.CharField(
        _("couleur principale"), max_length=7, blank=True, validators=[validate_main_colour],
        help_text=_("Au format #rrvvbb. Le texte blanc doit rester lisible dessus "
                    "(contraste AA) ; laissez vide pour une couleur tirée du nom."))
    cover = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("photo de couverture"),
        help_text=_("En tête de la page d'accueil et du profil Fediverse."))
    welcome = models.TextField(_("mot d'accueil"), max_length=400, blank=True)
    town_hall_address = models.TextField(_("adresse de la mairie"), max_length=300,
                                         blank=True)
    town_hall_phone = models.CharField(_("téléphone de la mairie"), max_length=30,
                                       blank=True)
    town_hall_email = models.EmailField(_("courriel de la mairie"), blank=True)
    opening_hours = models.TextField(_("horaires d'ouverture"), max_length=500, blank=True,
                                     help_text=_("Une ligne par jour ou par plage."))

    panels = [
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("colour"), FieldPanel("cover"),
                         FieldPanel("welcome")], heading=_("Identité")),
        MultiFieldPanel([FieldPanel("town_hall_address"), FieldPanel("town_hall_phone"),
                         FieldPanel("town_hall_email"), FieldPanel("opening_hours")],
                        heading=_("Mairie (pied de page)")),
    ]

    class Meta:
        verbose_name = _("identité de la commune")

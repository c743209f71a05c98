"""Sharing inside one deployment: rules of the origin, rules of the receiver, references.

A shared item is a reference to the origin page, never a copy: one writer per object,
its home commune. Receivers read the origin through `SharedItem`, so an update, an
unpublishing or a deletion reaches every receiver in the same transaction.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.content.kinds import kind_choices

# The sharing categories are the content kinds (cms/content/kinds.py).
KIND_CHOICES = kind_choices
MAX_SHARING_RADIUS_KM = 100


class Acceptance(models.TextChoices):
    ACCEPT = "accept", _("accepter automatiquement")
    REVIEW = "review", _("soumettre à validation")


class ShareState(models.TextChoices):
    PENDING = "pending", _("en attente")
    ACCEPTED = "accepted", _("accepté")
    DECLINED = "declined", _("refusé")
    HIDDEN = "hidden", _("masqué")


class ShareAction(models.TextChoices):
    ACCEPT = "accept", _("accepter")
    DECLINE = "decline", _("refuser")
    HIDE = "hide", _("masquer")
    FEATURE = "feature", _("mettre en avant")
    UNFEATURE = "unfeature", _("ne plus mettre en avant")


# Allowed transitions of SharedItem.state, by action. Featuring is a flag of an
# accepted item, not a state: hiding or declining drops it.
SHARE_TRANSITIONS: dict[str, dict[str, str]] = {
    ShareAction.ACCEPT: {ShareState.PENDING: ShareState.ACCEPTED,
                         ShareState.DECLINED: ShareState.ACCEPTED,
                         ShareState.HIDDEN: ShareState.ACCEPTED},
    ShareAction.DECLINE: {ShareState.PENDING: ShareState.DECLINED,
                          ShareState.ACCEPTED: ShareState.DECLINED,
                          ShareState.HIDDEN: ShareState.DECLINED},
    ShareAction.HIDE: {ShareState.PENDING: ShareState.HIDDEN,
                       ShareState.ACCEPTED: ShareState.HIDDEN},
    ShareAction.FEATURE: {ShareState.ACCEPTED: ShareState.ACCEPTED},
    ShareAction.UNFEATURE: {ShareState.ACCEPTED: ShareState.ACCEPTED},
}


class SharingPolicy(models.Model):
    """What a commune shares (kinds, categories) and with whom (its audience).

    No row, or no kind, means the commune shares nothing. Also holds the commune's
    default answer to what others share with it.
    """

    commune = models.OneToOneField(CommuneHomePage, on_delete=models.CASCADE,
                                   related_name="sharing_policy", verbose_name=_("commune"))
    kinds = models.JSONField(_("contenus partagés"), default=list, blank=True)
    categories = models.ManyToManyField(
        "content.Category", blank=True, related_name="+", verbose_name=_("catégories"),
        help_text=_("Vide : toutes les catégories."))
    radius_km = models.FloatField(
        _("voisines dans un rayon de (km)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_SHARING_RADIUS_KM)],
        help_text=_("Vide : pas de partage par distance."))
    share_with_epci = models.BooleanField(_("communes de l'intercommunalité"), default=False)
    share_with_department = models.BooleanField(_("communes du département"), default=False)
    named_communes = models.ManyToManyField(
        CommuneHomePage, blank=True, related_name="+", verbose_name=_("communes choisies"))
    default_acceptance = models.CharField(
        _("contenus reçus, par défaut"), max_length=8, choices=Acceptance.choices,
        default=Acceptance.REVIEW)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    class Meta:
        verbose_name = _("règles de partage")
        verbose_name_plural = _("règles de partage")

    def __str__(self) -> str:
        return f"{self.commune}: {', '.join(self.kinds) or '-'}"

    def clean(self) -> None:
        super().clean()
        unknown = set(self.kinds or []) - {kind for kind, _label in kind_choices()}
        if not isinstance(self.kinds, list) or unknown:
            raise ValidationError({"kinds": _("Type de contenu inconnu.")})


class AcceptanceRule(models.Model):
    """How a receiving commune answers items from a source, of a kind, or both."""

    receiver = models.ForeignKey(CommuneHomePage, on_delete=models.CASCADE,
                                 related_name="acceptance_rules", verbose_name=_("commune"))
    source_commune = models.ForeignKey(
        CommuneHomePage, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("commune d'origine"))
    source_server = models.CharField(
        _("serveur d'origine"), max_length=255, blank=True,
        help_text=_("Nom d'hôte d'un autre serveur (ex. clocher.example.org)."))
    kind = models.CharField(_("type de contenu"), max_length=12, blank=True,
                            choices=KIND_CHOICES)
    decision = models.CharField(_("décision"), max_length=8, choices=Acceptance.choices,
                                default=Acceptance.ACCEPT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("règle d'acceptation")
        verbose_name_plural = _("règles d'acceptation")
        ordering = ["pk"]

    def __str__(self) -> str:
        source = self.source_commune or self.source_server or "*"
        return f"{self.receiver}: {source}/{self.kind or '*'} → {self.decision}"

    def clean(self) -> None:
        super().clean()
        if not (self.source_commune_id or self.source_server or self.kind):
            raise ValidationError(_("Choisissez une origine, un serveur ou un type de contenu."))
        if self.source_commune_id and self.source_server:
            raise ValidationError({"source_server": _(
                "Une commune ou un serveur, pas les deux.")})

    @property
    def specificity(self) -> int:
        """Source and kind beat source alone, which beats kind alone."""
        has_source = bool(self.source_commune_id or self.source_server)
        return 2 * has_source + bool(self.kind)


class SharedItem(models.Model):
    """The reference of an origin page in a receiving commune, and its state there."""

    # The origin page in the source locale; its translations share its translation_key,
    # which listings match on.
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="shares")
    translation_key = models.UUIDField(db_index=True, editable=False)
    kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    origin_commune = models.ForeignKey(CommuneHomePage, on_delete=models.CASCADE,
                                       related_name="outgoing_shares")
    receiver = models.ForeignKey(CommuneHomePage, on_delete=models.CASCADE,
                                 related_name="incoming_shares")
    # The receiver's translation_key: listings in any locale find their items without
    # joining the page tree (see sharing/selectors.py).
    receiver_key = models.UUIDField(null=True, editable=False)
    # Host of another server for content received over ActivityPub; blank when local.
    source_server = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=ShareState.choices,
                             default=ShareState.PENDING)
    featured = models.BooleanField(default=False)
    # True when the origin's sharing rules made it (re-evaluated when they change);
    # False for references made explicitly (share_create, remote content).
    by_rule = models.BooleanField(default=True)
    # None: decided by an acceptance rule (or still pending).
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contenu partagé")
        verbose_name_plural = _("contenus partagés")
        constraints = [
            models.UniqueConstraint(fields=["page", "receiver"], name="federation_share_unique"),
            models.CheckConstraint(
                condition=models.Q(featured=False) | models.Q(state="accepted"),
                name="federation_share_featured_accepted"),
        ]
        indexes = [
            models.Index(fields=["receiver", "state", "translation_key"],
                         name="federation_share_receiver"),
            models.Index(fields=["receiver_key", "state", "translation_key"],
                         name="federation_share_receiver_key"),
            models.Index(fields=["translation_key", "state"], name="federation_share_key"),
            models.Index(fields=["origin_commune", "page"], name="federation_share_origin"),
        ]

    def __str__(self) -> str:
        return f"{self.page_id} → {self.receiver_id} ({self.state})"

    @property
    def is_visible(self) -> bool:
        return self.state == ShareState.ACCEPTED


class SharingGeneration(models.Model):
    """One row whose token changes with every change of what sharing decisions read
    (policies, acceptance rules, communes): a process reuses what it computed from them
    while the token it computed under is current (federation/sharing/plans.py).

    A random token, not a counter: a rolled-back change can never bring an old value
    back while a process still holds what it computed under it.
    """

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("génération des règles de partage")

    def __str__(self) -> str:
        return str(self.token)

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.core import sanitise
from cms.core.sanitise import HTML

from .. import representation
from ..kinds import ContentKind, FeedEntry, kind_register
from .base import CommuneContentPage


class AlertSeverity(models.IntegerChoices):
    """Ordered so that sorting by descending severity puts urgent alerts first."""

    INFO = 1, _("information")
    WARNING = 2, _("vigilance")
    URGENT = 3, _("urgent")


class AlertPage(CommuneContentPage):
    severity = models.PositiveSmallIntegerField(
        _("niveau"), choices=AlertSeverity.choices, default=AlertSeverity.INFO, db_index=True
    )
    valid_from = models.DateTimeField(_("valable à partir du"), default=timezone.now)
    valid_until = models.DateTimeField(_("valable jusqu'au"), null=True, blank=True)
    message = RichTextField(_("message"), features=["bold", "italic", "link", "ul"])

    content_panels = [
        *CommuneContentPage.content_panels,
        FieldPanel("severity"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
        FieldPanel("message"),
        FieldPanel("categories"),
    ]
    search_fields = [
        *CommuneContentPage.search_fields,
        index.SearchField("message"),
        index.FilterField("severity"),
        index.FilterField("valid_from"),
        index.FilterField("valid_until"),
    ]
    api_fields = [
        APIField("severity_name"),
        APIField("valid_from"),
        APIField("valid_until"),
        APIField("message"),
        APIField("category_slugs"),
        APIField("commune_insee_code"),
    ]
    parent_page_types = ["content.AlertIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")

    @property
    def severity_name(self) -> str:
        return AlertSeverity(self.severity).name.lower()

    @property
    def is_urgent(self) -> bool:
        return self.severity == AlertSeverity.URGENT

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError(
                {"valid_until": _("La fin de validité doit suivre son début.")}
            )


def _alert_api_fields(page: AlertPage) -> dict:
    message = representation.rich_text(page.message)
    return {"summary": representation.summary(message), "severity": page.severity_name,
            "valid_from": representation.iso(page.valid_from),
            "valid_until": representation.iso(page.valid_until), "message": message}


def _alert_to_ap(page: AlertPage) -> dict:
    # The message expanded as the API shows it (links resolved), never the stored form;
    # the title goes in front of it where it is sent (federation/activitypub/presentation.py).
    return {"summary": None, "content": representation.rich_text(page.message)}


def _alert_from_ap(page: AlertPage, obj) -> None:
    page.message = obj.content or representation.html_paragraph(obj.summary)
    page.valid_from = obj.published or timezone.now()


def _alert_feed_entry(page: AlertPage) -> FeedEntry:
    title = f"Urgent : {page.title}" if page.is_urgent else f"Alerte : {page.title}"
    return FeedEntry(title=title, description=sanitise.text_of_markup(
                         page.message, limit=sanitise.MAX_HTML),
                     published=page.valid_from, categories=("alerte", page.severity_name))


kind_register(ContentKind(
    position=30,
    name="alert", model=AlertPage, section="content.AlertIndexPage",
    label=_("alerte"), plural=_("alertes"), api_path="alerts",
    api_fields=_alert_api_fields,
    dates=lambda page: (page.valid_from, page.valid_until, page.severity),
    jsonld_type="SpecialAnnouncement",
    ap_type="Note", ap_accepts=("Note",),
    to_ap=_alert_to_ap, from_ap=_alert_from_ap,
    search_text=("message",),
    api_ordering=("-severity", "-start"), api_filters=("in_force",),
    feed="news", feed_entry=_alert_feed_entry,
    text_fields={"message": HTML},
    # A post from a person, a group, anyone but a commune is no alert: it is received as
    # news, held for the commune's review (federation/activitypub/mirror.py).
    extra={"ap_from_people_as": "news"},
))

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.blocks import StreamBlock
from wagtail.fields import StreamField
from wagtail.search import index

from cms.core.sanitise import HTML, PLAIN

from .. import representation
from ..blocks import BaseStreamBlock, OpeningHoursBlock
from ..kinds import ContentKind, kind_register
from .base import CommuneContentPage


class InfoTopic(models.TextChoices):
    TOWN_HALL = "town_hall", _("mairie et horaires")
    WASTE = "waste", _("déchets et collecte")
    SCHOOLS = "schools", _("écoles et enfance")
    HEALTH = "health", _("santé")
    TRANSPORT = "transport", _("transports")
    HOUSING = "housing", _("urbanisme et logement")
    OTHER = "other", _("autre")


class InfoPage(CommuneContentPage):
    """Practical information: town-hall hours, waste collection, schools…"""

    topic = models.CharField(_("thème"), max_length=20, choices=InfoTopic.choices,
                             default=InfoTopic.OTHER, db_index=True)
    summary = models.TextField(_("résumé"), max_length=600, blank=True)
    opening_hours = StreamField(
        StreamBlock([("slot", OpeningHoursBlock())], required=False),
        blank=True, verbose_name=_("horaires d'ouverture"),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = [
        *CommuneContentPage.content_panels,
        FieldPanel("topic"),
        FieldPanel("summary"),
        FieldPanel("opening_hours"),
        FieldPanel("body"),
        FieldPanel("categories"),
    ]
    search_fields = [
        *CommuneContentPage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("topic"),
    ]
    api_fields = [
        APIField("topic"),
        APIField("summary"),
        APIField("opening_hours"),
        APIField("body"),
        APIField("category_slugs"),
        APIField("commune_insee_code"),
    ]
    parent_page_types = ["content.InfoIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("information pratique")
        verbose_name_plural = _("informations pratiques")


def _info_api_fields(page: InfoPage) -> dict:
    return {"summary": page.summary, "topic": page.topic,
            "opening_hours": representation.stream(page.opening_hours),
            "body": representation.stream(page.body)}


def _info_from_ap(page: InfoPage, obj) -> None:
    page.summary = obj.summary[:600]
    page.body = [("paragraph", obj.content)] if obj.content else []


kind_register(ContentKind(
    position=40,
    name="info", model=InfoPage, section="content.InfoIndexPage",
    label=_("information pratique"), plural=_("informations pratiques"), api_path="info",
    short_label="Infos pratiques",
    api_fields=_info_api_fields, dates=lambda page: (None, None, None),
    jsonld_type="WebPage",
    # An Article elsewhere; a Clocher peer reads the kind it names and stores it as
    # practical information, not news.
    ap_type="Article",
    to_ap=lambda page: {"summary": page.summary or "", "content": str(page.body or "")},
    from_ap=_info_from_ap,
    search_text=("body", "opening_hours"), detail_only=frozenset({"body", "opening_hours"}),
    api_choice_filters={"topic": tuple(InfoTopic.values)},
    text_fields={"summary": PLAIN, "opening_hours": PLAIN, "body": HTML},
))

"""A producers' market ("marché de producteurs"): a dated kind declared in one module."""

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from cms.content import representation
from cms.content.kinds import ContentKind, FeedEntry, kind_register
from cms.content.models.base import CommuneContentPage
from cms.content.models.indexes import SectionIndexPage
from cms.core.sanitise import PLAIN


class MarketPage(CommuneContentPage):
    start = models.DateTimeField("début", db_index=True)
    end = models.DateTimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=200, blank=True)
    stalls = models.PositiveSmallIntegerField("étals", default=0)
    summary = models.TextField("résumé", max_length=600, blank=True)

    content_panels = [*CommuneContentPage.content_panels, FieldPanel("start"),
                      FieldPanel("end"), FieldPanel("place"), FieldPanel("stalls"),
                      FieldPanel("summary"), FieldPanel("categories")]
    search_fields = [*CommuneContentPage.search_fields, index.SearchField("summary"),
                     index.SearchField("place")]
    parent_page_types = ["kinds_app.MarketIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "marché de producteurs"


class MarketIndexPage(SectionIndexPage):
    subpage_types = ["kinds_app.MarketPage"]
    template = "content/section_index.html"

    class Meta:
        verbose_name = "rubrique marchés"


def _market_api_fields(page: MarketPage) -> dict:
    return {"summary": page.summary, "start": representation.iso(page.start),
            "end": representation.iso(page.end), "place": page.place,
            "stalls": page.stalls}


def _market_to_ap(page: MarketPage) -> dict:
    return {"summary": page.summary, "content": representation.html_paragraph(page.summary),
            "startTime": page.start.isoformat(),
            "endTime": page.end.isoformat() if page.end else None,
            "location": {"type": "Place", "name": page.place}}


def _market_from_ap(page: MarketPage, obj) -> None:
    page.start = obj.start_time or obj.published or timezone.now()
    page.end = obj.end_time if obj.end_time and obj.end_time >= page.start else None
    page.summary = obj.summary[:600]
    page.place = obj.location.name[:200] if obj.location else ""


kind_register(ContentKind(
    position=60,
    name="market", model=MarketPage, section="kinds_app.MarketIndexPage",
    label="marché", plural="marchés", api_path="markets",
    section_title="Marchés de producteurs",
    api_fields=_market_api_fields,
    dates=lambda page: (page.start, page.end or page.start, None),
    api_ordering=("start",), api_filters=("dated",),
    jsonld_type="Event",
    # A Clocher peer names the kind (clocherKind); others' Events are events.
    ap_type="Event",
    to_ap=_market_to_ap, from_ap=_market_from_ap,
    search_text=("place",),
    feed="markets",
    feed_entry=lambda page: FeedEntry(
        title=f"Marché : {page.title}", description=page.summary, categories=("marché",)),
    text_fields={"place": PLAIN, "summary": PLAIN},
))

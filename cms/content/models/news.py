import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.search import index

from cms.core.sanitise import HTML, PLAIN

from .. import representation
from ..blocks import BaseStreamBlock
from ..kinds import ContentKind, FeedEntry, kind_register
from .base import CommuneContentPage


class NewsPage(CommuneContentPage):
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    lead = models.TextField(_("chapô"), max_length=600, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("image"),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = [
        *CommuneContentPage.content_panels,
        FieldPanel("date"),
        FieldPanel("lead"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("categories"),
    ]
    search_fields = [
        *CommuneContentPage.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("categories", [index.SearchField("name")]),
    ]
    api_fields = [
        APIField("date"),
        APIField("lead"),
        APIField("body"),
        APIField("image"),
        APIField("image_thumbnail", serializer=ImageRenditionField("fill-400x300", source="image")),
        APIField("category_slugs"),
        APIField("commune_insee_code"),
    ]
    parent_page_types = ["content.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")


def _news_api_fields(page: NewsPage) -> dict:
    return {"summary": page.lead, "date": representation.iso(page.date), "lead": page.lead,
            "image": representation.image(page.image),
            "body": representation.stream(page.body)}


def _news_from_ap(page: NewsPage, obj) -> None:
    page.date = (obj.published or timezone.now()).date()
    page.lead = obj.summary[:500]
    page.body = [("paragraph", obj.content)] if obj.content else []


def _news_feed_entry(page: NewsPage) -> FeedEntry:
    # The publication moment, or midnight of the article's date when the editor dated it.
    zone = timezone.get_default_timezone()
    published = page.first_published_at
    if published is None or published.astimezone(zone).date() != page.date:
        published = dt.datetime.combine(page.date, dt.time.min, tzinfo=zone)
    return FeedEntry(title=page.title, description=page.lead or page.search_description,
                     published=published)


kind_register(ContentKind(
    position=10,
    name="news", model=NewsPage, section="content.NewsIndexPage",
    label=_("actualité"), plural=_("actualités"), api_path="news",
    api_fields=_news_api_fields,
    dates=lambda page: (dt.datetime.combine(page.date, dt.time.min, tzinfo=dt.UTC), None, None),
    jsonld_type="NewsArticle",
    ap_type="Article", ap_accepts=("Article", "Page"),
    to_ap=lambda page: {"summary": page.lead or "", "content": str(page.body or "")},
    from_ap=_news_from_ap,
    search_text=("lead", "body"), detail_only=frozenset({"body"}),
    api_ordering=("-start",),
    feed="news", feed_entry=_news_feed_entry,
    text_fields={"lead": PLAIN, "body": HTML},
))

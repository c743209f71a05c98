"""The API's read model: one flat row per live content page.

Why a copy: listing 200 communes × 1,000 pages by tree path and joining five page
tables per request is too slow for partners; this table is written in the same
transaction as publishing (cms/api/signals.py), so it is never ahead of or behind
the pages, and the API serves lists and details from it alone.
"""

from django.db import models
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.content.kinds import kind_choices


class PublishedItem(models.Model):
    # The page id is the item id partners see: stable across edits and republishing.
    page = models.OneToOneField(Page, primary_key=True, on_delete=models.CASCADE,
                                related_name="api_item")
    # A registered kind's name (cms/content/kinds.py): the choices are read, not stored,
    # so a kind a project adds needs no migration here.
    kind = models.CharField(max_length=12, choices=kind_choices)
    # Always the source-locale (French) commune, so `commune=44052&locale=en` needs no join.
    commune = models.ForeignKey(CommuneHomePage, on_delete=models.CASCADE, related_name="+")
    locale = models.CharField(max_length=8)
    translation_key = models.UUIDField(db_index=True)
    title = models.CharField(max_length=255)
    # Sort date of the kind: event start, news date, alert valid_from.
    start = models.DateTimeField(null=True)
    # Events: end, or start when open-ended (so "upcoming" is one comparison); alerts:
    # valid_until.
    end = models.DateTimeField(null=True)
    severity = models.PositiveSmallIntegerField(null=True)
    # The item's own place, else its commune's centroid: every item can be found on a map.
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    updated_at = models.DateTimeField()
    url = models.URLField(max_length=500)
    # Ready for federation: null for items written on this server.
    origin_commune = models.CharField(max_length=255, blank=True)
    origin_server = models.CharField(max_length=255, blank=True)
    origin_url = models.URLField(max_length=500, blank=True)
    # The detail representation, rendered at publish time (renditions included).
    payload = models.JSONField()
    etag = models.CharField(max_length=40)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "locale", "start", "page"], name="api_item_kind_start"),
            models.Index(fields=["commune", "kind", "locale", "start"],
                         name="api_item_commune_kind"),
            # "Upcoming" (end >= now) per commune; start and page are included so
            # PostgreSQL reads the page of ids from the index alone, an index-only scan
            # (see selectors.item_page).
            models.Index(fields=["commune", "kind", "locale", "end"], include=["start", "page"],
                         name="api_item_commune_end"),
            models.Index(fields=["kind", "locale", "end"], include=["start", "page"],
                         name="api_item_kind_end"),
            models.Index(fields=["kind", "updated_at", "page"], name="api_item_kind_updated"),
            models.Index(fields=["updated_at", "page"], name="api_item_updated"),
            models.Index(fields=["kind", "locale", "title", "page"], name="api_item_kind_title"),
            models.Index(fields=["latitude", "longitude"], name="api_item_position"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.page_id}: {self.title}"


class PublishedItemCategory(models.Model):
    """A category slug of an item: a table rather than JSON so filters use an index
    on SQLite as well as PostgreSQL."""

    item = models.ForeignKey(PublishedItem, on_delete=models.CASCADE, related_name="category_rows")
    slug = models.SlugField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "slug"], name="api_item_category_unique")
        ]
        indexes = [models.Index(fields=["slug", "item"], name="api_item_category_slug")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.slug}"

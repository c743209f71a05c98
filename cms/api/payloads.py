"""Build the JSON representation of a content page, once, at publish time.

Everything a list or detail response shows is computed here (renditions, rich text
expanded, canonical URL) so requests never touch the page tables.
"""

import datetime as dt
import hashlib
import json
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from cms.communes.models import CommuneHomePage
from cms.content.models import AlertPage, DirectoryEntryPage, EventPage, InfoPage, NewsPage
from cms.core.locales import default_locale

from .models import ItemKind

logger = logging.getLogger(__name__)

KIND_OF_MODEL: dict[type[Page], str] = {
    NewsPage: ItemKind.NEWS,
    EventPage: ItemKind.EVENT,
    AlertPage: ItemKind.ALERT,
    InfoPage: ItemKind.INFO,
    DirectoryEntryPage: ItemKind.DIRECTORY,
}
MODEL_OF_KIND = {kind: model for model, kind in KIND_OF_MODEL.items()}
RENDITIONS = {"thumbnail": "fill-400x300", "medium": "max-800x800", "large": "max-1600x1600"}
# Shown in the list representation only in the detail: long StreamFields and rich text.
DETAIL_ONLY_FIELDS = frozenset({"body", "opening_hours", "products", "market_days",
                                "pickup_points", "jsonld"})
SUMMARY_LENGTH = 300


@dataclass(frozen=True)
class CommuneRef:
    """The source-locale commune an item belongs to."""

    id: int
    insee: str
    name: str
    slug: str
    latitude: float | None
    longitude: float | None

    def as_json(self) -> dict[str, str]:
        return {"insee": self.insee, "name": self.name, "slug": self.slug}


def commune_refs_by_path() -> dict[str, CommuneRef]:
    """Every commune home page (any locale) by tree path → its source-locale commune."""
    default_locale_id = default_locale().pk
    homes = list(CommuneHomePage.objects.only(
        "id", "path", "title", "slug", "insee_code", "latitude", "longitude", "locale_id",
        "translation_key"))
    sources = {home.translation_key: home for home in homes if home.locale_id == default_locale_id}
    refs = {}
    for home in homes:
        source = sources.get(home.translation_key, home)
        refs[home.path] = CommuneRef(id=source.pk, insee=source.insee_code, name=source.title,
                                     slug=source.slug, latitude=source.latitude,
                                     longitude=source.longitude)
    return refs


def commune_ref_for(*, page: Page, refs: dict[str, CommuneRef] | None = None) -> CommuneRef | None:
    if refs is not None:
        for length in {len(path) for path in refs}:
            if ref := refs.get(page.path[:length]):
                return ref
        return None
    home = (page.commune if hasattr(type(page), "commune")
            else CommuneHomePage.objects.ancestor_of(page).first())
    if home is None:
        return None
    locale = default_locale()
    source = home if home.locale_id == locale.pk else (
        home.get_translation_or_none(locale) or home)
    return CommuneRef(id=source.pk, insee=source.insee_code, name=source.title,
                      slug=source.slug, latitude=source.latitude, longitude=source.longitude)


def _iso(value, zone: str | None = None) -> str | None:
    """ISO 8601; date-times in the given zone (events: their own) or the site's, so a
    representation does not depend on how the value was last loaded."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(zoneinfo.ZoneInfo(zone) if zone else
                                 timezone.get_default_timezone())
    return value.isoformat()


def _stream(value) -> list:
    return value.stream_block.get_api_representation(value) if value is not None else []


def _rich_text(value: str) -> str:
    return expand_db_html(value) if value else ""


def _summary(html: str) -> str:
    return Truncator(strip_tags(html)).chars(SUMMARY_LENGTH)


def _image(image) -> dict[str, Any] | None:
    if image is None:
        return None
    renditions = {}
    try:
        for name, spec in RENDITIONS.items():
            rendition = image.get_rendition(spec)
            renditions[name] = {"url": rendition.full_url, "width": rendition.width,
                                "height": rendition.height}
    except (SourceImageIOError, OSError):
        # A missing original must not block publishing; the item goes out without image.
        logger.warning("image %s: original file missing, no renditions", image.pk)
        return None
    return {"id": image.pk, "alt": image.title, "renditions": renditions}


def _kind_fields(page: Page) -> dict[str, Any]:
    if isinstance(page, NewsPage):
        return {"summary": page.lead, "date": _iso(page.date), "lead": page.lead,
                "image": _image(page.image), "body": _stream(page.body)}
    if isinstance(page, EventPage):
        return {
            "summary": page.summary, "start": _iso(page.start, page.time_zone),
            "end": _iso(page.end, page.time_zone),
            "time_zone": page.time_zone, "all_day": page.all_day,
            "image": _image(page.image), "body": _stream(page.body),
            "venue_name": page.venue_name, "address": page.address,
            "organiser": page.organiser, "is_free": page.is_free, "price": page.price,
            "registration_url": page.registration_url, "accessibility": page.accessibility,
        }
    if isinstance(page, AlertPage):
        message = _rich_text(page.message)
        return {"summary": _summary(message), "severity": page.severity_name,
                "valid_from": _iso(page.valid_from), "valid_until": _iso(page.valid_until),
                "message": message}
    if isinstance(page, InfoPage):
        return {"summary": page.summary, "topic": page.topic,
                "opening_hours": _stream(page.opening_hours), "body": _stream(page.body)}
    if isinstance(page, DirectoryEntryPage):
        description = _rich_text(page.description)
        return {
            "summary": _summary(description), "directory_kind": page.kind,
            "description": description, "image": _image(page.image), "address": page.address,
            "opening_hours": _stream(page.opening_hours), "phone": page.phone,
            "email": page.email, "website": page.website, "products": _stream(page.products),
            "seasons": page.seasons, "market_days": _stream(page.market_days),
            "pickup_points": _stream(page.pickup_points),
        }
    raise TypeError(f"not an API content page: {type(page).__name__}")


def page_position(page: Page, commune: CommuneRef) -> tuple[float | None, float | None]:
    latitude, longitude = getattr(page, "latitude", None), getattr(page, "longitude", None)
    if latitude is None or longitude is None:
        return commune.latitude, commune.longitude
    return latitude, longitude


def page_payload(*, page: Page, commune: CommuneRef, url: str, updated_at,
                 category_slugs: Iterable[str],
                 translations: list[dict[str, Any]],
                 sharing: tuple[list[str], list[str]] | None = None) -> dict[str, Any]:
    """The detail representation of a live content page (see docs/api.md, "Items").

    `sharing`: (INSEE codes where the item is accepted as shared, INSEE codes where it
    is featured); looked up when not given.
    """
    latitude, longitude = page_position(page, commune)
    shared_with, featured_in = sharing if sharing is not None else page_sharing(page=page)
    return {
        "id": page.pk,
        "kind": KIND_OF_MODEL[type(page)],
        "title": page.title,
        "url": url,
        "locale": page.locale.language_code,
        "commune": commune.as_json(),
        "categories": sorted(category_slugs),
        "position": ({"latitude": latitude, "longitude": longitude}
                     if latitude is not None and longitude is not None else None),
        "first_published_at": _iso(page.first_published_at),
        "updated_at": _iso(updated_at),
        "translations": translations,
        "provenance": page_provenance(page=page, commune=commune),
        # Communes of this deployment that list the item ("via <commune>"): federation/.
        "shared_with": shared_with,
        "featured_in": featured_in,
        **_kind_fields(page),
        "jsonld": _jsonld(page),
    }


def page_sharing(*, page: Page) -> tuple[list[str], list[str]]:
    """(accepted in, featured in): INSEE codes of the communes a page is shared with."""
    from cms.publishing.audience import sharing_by_translation_key

    return sharing_by_translation_key(keys=[page.translation_key]).get(
        page.translation_key, ([], []))


def page_provenance(*, page: Page, commune: CommuneRef) -> dict[str, Any]:
    """Where a page comes from: set for pages received over ActivityPub (federation/)."""
    origin_server = getattr(page, "origin_server", "")
    if not origin_server:
        return {"origin_commune": None, "origin_server": None, "origin_url": None}
    return {"origin_commune": commune.name, "origin_server": origin_server,
            "origin_url": getattr(page, "origin_url", "") or None}


def _jsonld(page: Page) -> dict[str, Any]:
    from .jsonld import item_jsonld

    try:
        return item_jsonld(page=page, request=None)
    except Exception:
        # Structured data is an extra: a bug there must not block publishing.
        logger.exception("JSON-LD of page %s failed", page.pk)
        return {}


def payload_etag(payload: dict[str, Any]) -> str:
    encoded = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder).encode()
    return hashlib.sha1(encoded, usedforsecurity=False).hexdigest()


def list_representation(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key not in DETAIL_ONLY_FIELDS}

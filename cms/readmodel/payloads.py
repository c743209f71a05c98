"""Build the JSON representation of a content page, once, at publish time.

Everything a list or detail response shows is computed here (renditions, rich text
expanded, canonical URL) so requests never touch the page tables.
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.content.kinds import kind_of_page, kinds
from cms.content.representation import iso
from cms.core.locales import default_locale

logger = logging.getLogger(__name__)



def detail_only_fields() -> frozenset[str]:
    """Keys shown in the detail representation only: each kind's long fields, and the
    JSON-LD."""
    return frozenset({"jsonld"}.union(*(kind.detail_only for kind in kinds())))


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


def _kind_fields(page: Page) -> dict[str, Any]:
    kind = kind_of_page(page)
    if kind is None:
        raise TypeError(f"not an API content page: {type(page).__name__}")
    return kind.api_fields(page)


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
        "kind": kind_of_page(page).name,
        "title": page.title,
        "url": url,
        "locale": page.locale.language_code,
        "commune": commune.as_json(),
        "categories": sorted(category_slugs),
        "position": ({"latitude": latitude, "longitude": longitude}
                     if latitude is not None and longitude is not None else None),
        "first_published_at": iso(page.first_published_at),
        "updated_at": iso(updated_at),
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
    from cms.readmodel.audience import sharing_by_translation_key

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
    hidden = detail_only_fields()
    return {key: value for key, value in payload.items() if key not in hidden}

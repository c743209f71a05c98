"""schema.org JSON-LD for commune pages: one dict per page, for API details and page HTML.

`item_jsonld()` is the single entry point; each page type has one builder. Types follow
what search engines and aggregators read (Event, NewsArticle, LocalBusiness and its
subtypes, GovernmentOrganization, AdministrativeArea, SpecialAnnouncement).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.content.kinds import kind_of_page
from cms.content.models import (
    AlertPage,
    DirectoryEntryPage,
    DirectoryKind,
    EventPage,
    InfoPage,
    NewsPage,
)

logger = logging.getLogger(__name__)

CONTEXT = "https://schema.org"
IMAGE_FILTER = "max-1200x1200"
# Google truncates longer headlines and flags them.
HEADLINE_MAX_LENGTH = 110
SCHEMA_DAYS = {
    "mon": "https://schema.org/Monday",
    "tue": "https://schema.org/Tuesday",
    "wed": "https://schema.org/Wednesday",
    "thu": "https://schema.org/Thursday",
    "fri": "https://schema.org/Friday",
    "sat": "https://schema.org/Saturday",
    "sun": "https://schema.org/Sunday",
}
DIRECTORY_TYPES = {
    DirectoryKind.SHOP: "Store",
    # schema.org has no "farm" type: a producer is a LocalBusiness that makes offers.
    DirectoryKind.PRODUCER: "LocalBusiness",
    DirectoryKind.ASSOCIATION: "NGO",
    DirectoryKind.PUBLIC_SERVICE: "GovernmentOffice",
}
# Types that are Places (LocalBusiness subtypes) and so carry geo and opening hours.
PLACE_TYPES = {"Store", "LocalBusiness", "GovernmentOffice"}

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element:
# escape the characters Django's json_script escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def item_jsonld(*, page: Page, request: HttpRequest | None = None) -> dict[str, Any]:
    """Return the schema.org description of a page as a JSON-LD dict (with @context)."""
    page = page.specific
    builder = _builder_for(page)
    data = builder(page, request)
    return {"@context": CONTEXT, **_compact(data)}


def jsonld_script(data: dict[str, Any]) -> SafeString:
    """Return data as a <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _builder_for(page: Page) -> Callable[[Any, HttpRequest | None], dict[str, Any]]:
    for model, builder in _BUILDERS:
        if isinstance(page, model):
            return builder
    return _web_page


# --- page types ---------------------------------------------------------------------


def _event(page: EventPage, request: HttpRequest | None) -> dict[str, Any]:
    url = _page_url(page, request)
    commune = page.commune
    zone = _zone(page.time_zone)
    offers: dict[str, Any] = {"@type": "Offer", "url": page.registration_url or url}
    if page.is_free:
        offers |= {"price": "0", "priceCurrency": "EUR"}
    elif page.price:
        # The price is free text ("5 €, gratuit pour les moins de 12 ans"): keep it as such.
        offers |= {"description": page.price, "priceCurrency": "EUR"}
    else:
        offers = {}
    place: dict[str, Any] = {
        "@type": "Place",
        "name": page.venue_name or (commune.title if commune else ""),
        "address": _postal_address(street=page.address, commune=commune),
        "geo": _geo(page.latitude, page.longitude) or _commune_geo(commune),
    }
    if page.accessibility:
        place["amenityFeature"] = {
            "@type": "LocationFeatureSpecification",
            "name": page.accessibility,
            "value": True,
        }
    organizer = (
        {"@type": "Organization", "name": page.organiser}
        if page.organiser
        else _commune_organization(commune, request)
    )
    return {
        "@type": "Event",
        "@id": f"{url}#event",
        "name": page.title,
        "url": url,
        "description": page.summary or page.search_description,
        "startDate": _event_moment(page.start, zone=zone, all_day=page.all_day),
        "endDate": _event_moment(page.end, zone=zone, all_day=page.all_day),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "organizer": organizer,
        "isAccessibleForFree": page.is_free,
        "offers": offers,
        "image": _image_urls(page.image, request),
        "keywords": _keywords(page),
        "inLanguage": page.locale.language_code,
    }


def _news(page: NewsPage, request: HttpRequest | None) -> dict[str, Any]:
    url = _page_url(page, request)
    organization = _commune_organization(page.commune, request)
    published = page.first_published_at or _midnight(page.date)
    return {
        "@type": "NewsArticle",
        "@id": f"{url}#article",
        "headline": Truncator(page.title).chars(HEADLINE_MAX_LENGTH),
        "url": url,
        "mainEntityOfPage": url,
        "description": page.lead or page.search_description,
        "datePublished": _later_of_date(published, page.date).isoformat(),
        "dateModified": (page.last_published_at or published).isoformat(),
        "image": _image_urls(page.image, request),
        "author": organization,
        "publisher": organization,
        "articleSection": _category_names(page),
        "inLanguage": page.locale.language_code,
    }


def _alert(page: AlertPage, request: HttpRequest | None) -> dict[str, Any]:
    url = _page_url(page, request)
    commune = page.commune
    return {
        "@type": "SpecialAnnouncement",
        "@id": f"{url}#announcement",
        "name": page.title,
        "url": url,
        "text": strip_tags(page.message).strip(),
        "datePosted": page.valid_from.isoformat(),
        "expires": page.valid_until.isoformat() if page.valid_until else None,
        "spatialCoverage": _administrative_area(commune, request) if commune else None,
        "keywords": ", ".join(filter(None, [page.severity_name, _keywords(page)])),
        "publisher": _commune_organization(commune, request),
        "inLanguage": page.locale.language_code,
    }


def _directory_entry(page: DirectoryEntryPage, request: HttpRequest | None) -> dict[str, Any]:
    url = _page_url(page, request)
    schema_type = DIRECTORY_TYPES.get(page.kind, "Organization")
    hours = _opening_hours(page.opening_hours)
    geo = _geo(page.latitude, page.longitude)
    data: dict[str, Any] = {
        "@type": schema_type,
        "@id": f"{url}#organization",
        "name": page.title,
        "url": page.website or url,
        "mainEntityOfPage": url,
        "sameAs": [page.website] if page.website else None,
        "description": strip_tags(page.description).strip() or page.search_description,
        "image": _image_urls(page.image, request),
        "address": _postal_address(street=page.address, commune=page.commune),
        "telephone": page.phone,
        "email": page.email,
        "keywords": _keywords(page),
    }
    if schema_type in PLACE_TYPES:
        data |= {"geo": geo, "openingHoursSpecification": hours}
    elif geo or hours:
        # An Organization is not a Place: its premises carry the position and hours.
        data["location"] = {
            "@type": "Place",
            "address": _postal_address(street=page.address, commune=page.commune),
            "geo": geo,
            "openingHoursSpecification": hours,
        }
    if page.kind == DirectoryKind.PRODUCER:
        data["makesOffer"] = [
            {"@type": "Offer", "itemOffered": {"@type": "Product", "name": block.value["name"]}}
            for block in page.products
        ]
    return data


def _info(page: InfoPage, request: HttpRequest | None) -> dict[str, Any]:
    url = _page_url(page, request)
    commune = page.commune
    hours = _opening_hours(page.opening_hours)
    return {
        "@type": "WebPage",
        "@id": f"{url}#page",
        "name": page.title,
        "url": url,
        "description": page.summary or page.search_description,
        "dateModified": page.last_published_at.isoformat() if page.last_published_at else None,
        "about": _administrative_area(commune, request) if commune else None,
        "publisher": _commune_organization(commune, request),
        # Town-hall hours and the like: the office the page describes.
        "mainEntity": (
            {
                "@type": "GovernmentOffice",
                "name": page.title,
                "address": _postal_address(street="", commune=commune),
                "openingHoursSpecification": hours,
            }
            if hours
            else None
        ),
        "inLanguage": page.locale.language_code,
    }


def _commune_home(page: CommuneHomePage, request: HttpRequest | None) -> dict[str, Any]:
    area = _administrative_area(page, request)
    return {
        **area,
        "description": strip_tags(page.intro).strip() or page.search_description,
        "geo": _commune_geo(page),
        "address": _postal_address(street="", commune=page),
        "containedInPlace": {"@type": "AdministrativeArea", "name": page.department_name,
                             "identifier": page.department_code},
        "subjectOf": _commune_organization(page, request),
    }


def _web_page(page: Page, request: HttpRequest | None) -> dict[str, Any]:
    """Any page without a builder of its own: a content kind's declared type, else a
    WebPage."""
    url = _page_url(page, request)
    kind = kind_of_page(page)
    return {
        "@type": kind.jsonld_type if kind else "WebPage",
        "@id": f"{url}#page",
        "name": page.seo_title or page.title,
        "url": url,
        "description": page.search_description,
        "inLanguage": page.locale.language_code,
    }


_BUILDERS: list[tuple[type[Page], Callable[[Any, HttpRequest | None], dict[str, Any]]]] = [
    (EventPage, _event),
    (NewsPage, _news),
    (AlertPage, _alert),
    (DirectoryEntryPage, _directory_entry),
    (InfoPage, _info),
    (CommuneHomePage, _commune_home),
]


# --- shared pieces ------------------------------------------------------------------


URLS_MEMO_SIZE = 4096
_urls_memo: ContextVar[dict[int, str] | None] = ContextVar("jsonld_urls_memo", default=None)


@contextmanager
def page_urls_memoized() -> Iterator[None]:
    """Inside the block, compute each page's canonical URL once (by page id).

    For bulk builds of the read model, where no page moves or changes its slug: an
    item's URL is otherwise worked out three times (its row, its JSON-LD `url`, its
    commune's), and its commune's once per item.
    """
    token = _urls_memo.set({})
    try:
        yield
    finally:
        _urls_memo.reset(token)


def canonical_url(page: Page) -> str:
    """The page's URL on its commune's own host, whichever host the request came to.

    Without a request Wagtail picks the most specific Site (the commune's, not the
    portal's /<slug>/ prefix), as the canonical link in base.html does.
    """
    memo = _urls_memo.get()
    if memo is None or page.pk is None:
        return page.get_full_url() or ""
    if page.pk not in memo:
        if len(memo) >= URLS_MEMO_SIZE:
            memo.clear()  # a rebuild walks 200,000 pages: keep the memory bounded
        memo[page.pk] = page.get_full_url() or ""
    return memo[page.pk]


def _page_url(page: Page, request: HttpRequest | None) -> str:
    return canonical_url(page)


def _commune_organization(
    commune: CommuneHomePage | None, request: HttpRequest | None
) -> dict[str, Any] | None:
    """The town hall as a publisher: schema.org's GovernmentOrganization."""
    if commune is None:
        return None
    url = _page_url(commune, request)
    return {
        "@type": "GovernmentOrganization",
        "@id": f"{url}#organization",
        "name": commune.title,
        "url": url,
        "areaServed": {"@type": "AdministrativeArea", "name": commune.title},
    }


def _administrative_area(commune: CommuneHomePage, request: HttpRequest | None) -> dict[str, Any]:
    url = _page_url(commune, request)
    return {
        "@type": "AdministrativeArea",
        "@id": f"{url}#commune",
        "name": commune.title,
        "url": url,
        "identifier": {"@type": "PropertyValue", "propertyID": "INSEE",
                       "value": commune.insee_code},
    }


def _postal_address(*, street: str, commune: CommuneHomePage | None) -> dict[str, Any]:
    return {
        "@type": "PostalAddress",
        "streetAddress": street,
        "addressLocality": commune.title if commune else None,
        # A commune may have several postcodes; the first is its main one.
        "postalCode": commune.postcodes[0] if commune and commune.postcodes else None,
        "addressRegion": commune.department_name if commune else None,
        "addressCountry": "FR",
    }


def _geo(latitude: float | None, longitude: float | None) -> dict[str, Any] | None:
    if latitude is None or longitude is None:
        return None
    return {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}


def _commune_geo(commune: CommuneHomePage | None) -> dict[str, Any] | None:
    return _geo(commune.latitude, commune.longitude) if commune else None


def _opening_hours(stream: Iterable[Any]) -> list[dict[str, Any]]:
    """Group the opening slots that share hours into one specification (Mon–Fri 9–12)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for block in stream:
        value = block.value
        if not (value.get("day") in SCHEMA_DAYS and value.get("opens") and value.get("closes")):
            continue
        key = (value["opens"].strftime("%H:%M"), value["closes"].strftime("%H:%M"))
        days = grouped.setdefault(key, [])
        if SCHEMA_DAYS[value["day"]] not in days:
            days.append(SCHEMA_DAYS[value["day"]])
    return [
        {"@type": "OpeningHoursSpecification",
         "dayOfWeek": days if len(days) > 1 else days[0], "opens": opens, "closes": closes}
        for (opens, closes), days in grouped.items()
    ]


def _event_moment(moment: dt.datetime | None, *, zone: dt.tzinfo, all_day: bool) -> str | None:
    """ISO 8601 in the event's own zone, with its offset; a date alone for all-day events."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return local.date().isoformat() if all_day else local.isoformat()


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name or "Europe/Paris")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Paris")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def _later_of_date(published: dt.datetime, day: dt.date) -> dt.datetime:
    """The publication moment, unless the editor dated the article later (or earlier)."""
    local = published.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    return published if local.date() == day else _midnight(day)


def _image_urls(image: Any, request: HttpRequest | None) -> list[str] | None:
    if image is None:
        return None
    try:
        rendition = image.get_rendition(IMAGE_FILTER)
    except (OSError, ValueError):
        # A missing source file must not take the page (or the API detail) down with it.
        logger.warning("No rendition for image %s", image.pk, exc_info=True)
        return None
    if not rendition.url.startswith("/"):
        return [rendition.url]
    return [request.build_absolute_uri(rendition.url) if request else rendition.full_url]


def _category_names(page: Any) -> list[str] | None:
    return [category.name for category in page.categories.all()] or None


def _keywords(page: Any) -> str | None:
    names = _category_names(page)
    return ", ".join(names) if names else None


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty properties, nested ones too: schema.org validators flag empty values."""
    compacted = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _compact(value)
            # A node left with its @type alone says nothing.
            if set(value) <= {"@type"}:
                continue
        elif isinstance(value, list):
            value = [_compact(item) if isinstance(item, dict) else item for item in value]
        if value is None or value == "" or value == []:
            continue
        compacted[key] = value
    return compacted

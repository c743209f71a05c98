"""One builder per page type: a page (and the request, if any) → its JSON-LD dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import strip_tags
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

from .canonical import page_url
from .pieces import (
    administrative_area,
    category_names,
    commune_geo,
    commune_organization,
    event_moment,
    geo_coordinates,
    image_urls,
    keywords,
    later_of_date,
    midnight,
    opening_hours,
    postal_address,
    zone_named,
)

# Google truncates longer headlines and flags them.
HEADLINE_MAX_LENGTH = 110
DIRECTORY_TYPES = {
    DirectoryKind.SHOP: "Store",
    # schema.org has no "farm" type: a producer is a LocalBusiness that makes offers.
    DirectoryKind.PRODUCER: "LocalBusiness",
    DirectoryKind.ASSOCIATION: "NGO",
    DirectoryKind.PUBLIC_SERVICE: "GovernmentOffice",
}
# Types that are Places (LocalBusiness subtypes) and so carry geo and opening hours.
PLACE_TYPES = {"Store", "LocalBusiness", "GovernmentOffice"}


def _event(page: EventPage, request: HttpRequest | None) -> dict[str, Any]:
    url = page_url(page, request)
    commune = page.commune
    zone = zone_named(page.time_zone)
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
        "address": postal_address(street=page.address, commune=commune),
        "geo": geo_coordinates(page.latitude, page.longitude) or commune_geo(commune),
    }
    if page.accessibility:
        place["amenityFeature"] = {
            "@type": "LocationFeatureSpecification",
            "name": page.accessibility,
            "value": True,
        }
    organizer = (
        {"@type": "Organization", "name": page.organiser,
         **({"email": page.organiser_email} if page.organiser_email else {}),
         **({"telephone": page.organiser_phone} if page.organiser_phone else {})}
        if page.organiser
        else commune_organization(commune, request)
    )
    return {
        "@type": "Event",
        "@id": f"{url}#event",
        "name": page.title,
        "url": url,
        "description": page.summary or page.search_description,
        "startDate": event_moment(page.start, zone=zone, all_day=page.all_day),
        "endDate": event_moment(page.end, zone=zone, all_day=page.all_day),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "organizer": organizer,
        "isAccessibleForFree": page.is_free,
        "offers": offers,
        "image": image_urls(page.image, request),
        "keywords": keywords(page),
        "inLanguage": page.locale.language_code,
    }


def _news(page: NewsPage, request: HttpRequest | None) -> dict[str, Any]:
    url = page_url(page, request)
    organization = commune_organization(page.commune, request)
    published = page.first_published_at or midnight(page.date)
    return {
        "@type": "NewsArticle",
        "@id": f"{url}#article",
        "headline": Truncator(page.title).chars(HEADLINE_MAX_LENGTH),
        "url": url,
        "mainEntityOfPage": url,
        "description": page.lead or page.search_description,
        "datePublished": later_of_date(published, page.date).isoformat(),
        "dateModified": (page.last_published_at or published).isoformat(),
        "image": image_urls(page.image, request),
        "author": organization,
        "publisher": organization,
        "articleSection": category_names(page),
        "inLanguage": page.locale.language_code,
    }


def _alert(page: AlertPage, request: HttpRequest | None) -> dict[str, Any]:
    url = page_url(page, request)
    commune = page.commune
    return {
        "@type": "SpecialAnnouncement",
        "@id": f"{url}#announcement",
        "name": page.title,
        "url": url,
        "text": strip_tags(page.message).strip(),
        "datePosted": page.valid_from.isoformat(),
        "expires": page.valid_until.isoformat() if page.valid_until else None,
        "spatialCoverage": administrative_area(commune, request) if commune else None,
        "keywords": ", ".join(filter(None, [page.severity_name, keywords(page)])),
        "publisher": commune_organization(commune, request),
        "inLanguage": page.locale.language_code,
    }


def _directory_entry(page: DirectoryEntryPage, request: HttpRequest | None) -> dict[str, Any]:
    url = page_url(page, request)
    schema_type = DIRECTORY_TYPES.get(page.kind, "Organization")
    hours = opening_hours(page.opening_hours)
    geo = geo_coordinates(page.latitude, page.longitude)
    data: dict[str, Any] = {
        "@type": schema_type,
        "@id": f"{url}#organization",
        "name": page.title,
        "url": page.website or url,
        "mainEntityOfPage": url,
        "sameAs": [page.website] if page.website else None,
        "description": strip_tags(page.description).strip() or page.search_description,
        "image": image_urls(page.image, request),
        "address": postal_address(street=page.address, commune=page.commune),
        "telephone": page.phone,
        "email": page.email,
        "keywords": keywords(page),
    }
    if schema_type in PLACE_TYPES:
        data |= {"geo": geo, "openingHoursSpecification": hours}
    elif geo or hours:
        # An Organization is not a Place: its premises carry the position and hours.
        data["location"] = {
            "@type": "Place",
            "address": postal_address(street=page.address, commune=page.commune),
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
    url = page_url(page, request)
    commune = page.commune
    hours = opening_hours(page.opening_hours)
    return {
        "@type": "WebPage",
        "@id": f"{url}#page",
        "name": page.title,
        "url": url,
        "description": page.summary or page.search_description,
        "dateModified": page.last_published_at.isoformat() if page.last_published_at else None,
        "about": administrative_area(commune, request) if commune else None,
        "publisher": commune_organization(commune, request),
        # Town-hall hours and the like: the office the page describes.
        "mainEntity": (
            {
                "@type": "GovernmentOffice",
                "name": page.title,
                "address": postal_address(street="", commune=commune),
                "openingHoursSpecification": hours,
            }
            if hours
            else None
        ),
        "inLanguage": page.locale.language_code,
    }


def _commune_home(page: CommuneHomePage, request: HttpRequest | None) -> dict[str, Any]:
    area = administrative_area(page, request)
    return {
        **area,
        "description": strip_tags(page.intro).strip() or page.search_description,
        "geo": commune_geo(page),
        "address": postal_address(street="", commune=page),
        "containedInPlace": {"@type": "AdministrativeArea", "name": page.department_name,
                             "identifier": page.department_code},
        "subjectOf": commune_organization(page, request),
    }


def _web_page(page: Page, request: HttpRequest | None) -> dict[str, Any]:
    """Any page without a builder of its own: a content kind's declared type, else a
    WebPage."""
    url = page_url(page, request)
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


def builder_for(page: Page) -> Callable[[Any, HttpRequest | None], dict[str, Any]]:
    """The builder of the page's type; `_web_page` for a type without one."""
    for model, builder in _BUILDERS:
        if isinstance(page, model):
            return builder
    return _web_page

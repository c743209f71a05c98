"""Pieces shared by the builders: the town hall, the commune as an area, addresses,
coordinates, opening hours, event times, images, keywords, and `compact()`."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from cms.communes.models import CommuneHomePage

from .canonical import page_url

logger = logging.getLogger(__name__)

IMAGE_FILTER = "max-1200x1200"
SCHEMA_DAYS = {
    "mon": "https://schema.org/Monday",
    "tue": "https://schema.org/Tuesday",
    "wed": "https://schema.org/Wednesday",
    "thu": "https://schema.org/Thursday",
    "fri": "https://schema.org/Friday",
    "sat": "https://schema.org/Saturday",
    "sun": "https://schema.org/Sunday",
}


def commune_organization(
    commune: CommuneHomePage | None, request: HttpRequest | None
) -> dict[str, Any] | None:
    """The town hall as a publisher: schema.org's GovernmentOrganization."""
    if commune is None:
        return None
    url = page_url(commune, request)
    return {
        "@type": "GovernmentOrganization",
        "@id": f"{url}#organization",
        "name": commune.title,
        "url": url,
        "areaServed": {"@type": "AdministrativeArea", "name": commune.title},
    }


def administrative_area(commune: CommuneHomePage, request: HttpRequest | None) -> dict[str, Any]:
    """The commune as a place: an AdministrativeArea with its INSEE code."""
    url = page_url(commune, request)
    return {
        "@type": "AdministrativeArea",
        "@id": f"{url}#commune",
        "name": commune.title,
        "url": url,
        "identifier": {"@type": "PropertyValue", "propertyID": "INSEE",
                       "value": commune.insee_code},
    }


def postal_address(*, street: str, commune: CommuneHomePage | None) -> dict[str, Any]:
    """A French PostalAddress in `commune`."""
    return {
        "@type": "PostalAddress",
        "streetAddress": street,
        "addressLocality": commune.title if commune else None,
        # A commune may have several postcodes; the first is its main one.
        "postalCode": commune.postcodes[0] if commune and commune.postcodes else None,
        "addressRegion": commune.department_name if commune else None,
        "addressCountry": "FR",
    }


def geo_coordinates(latitude: float | None, longitude: float | None) -> dict[str, Any] | None:
    """GeoCoordinates, or None without both of them."""
    if latitude is None or longitude is None:
        return None
    return {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}


def commune_geo(commune: CommuneHomePage | None) -> dict[str, Any] | None:
    """The commune's own position."""
    return geo_coordinates(commune.latitude, commune.longitude) if commune else None


def opening_hours(stream: Iterable[Any]) -> list[dict[str, Any]]:
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


def event_moment(moment: dt.datetime | None, *, zone: dt.tzinfo, all_day: bool) -> str | None:
    """ISO 8601 in the event's own zone, with its offset; a date alone for all-day events."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return local.date().isoformat() if all_day else local.isoformat()


def zone_named(name: str) -> dt.tzinfo:
    """The time zone `name`, or Europe/Paris for an empty or unknown one."""
    try:
        return zoneinfo.ZoneInfo(name or "Europe/Paris")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Paris")


def midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in Paris."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def later_of_date(published: dt.datetime, day: dt.date) -> dt.datetime:
    """The publication moment, unless the editor dated the article later (or earlier)."""
    local = published.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    return published if local.date() == day else midnight(day)


def image_urls(image: Any, request: HttpRequest | None) -> list[str] | None:
    """The absolute URL of the image's rendition, or None without one."""
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


def category_names(page: Any) -> list[str] | None:
    """The names of the page's categories, or None."""
    return [category.name for category in page.categories.all()] or None


def keywords(page: Any) -> str | None:
    """The page's categories as schema.org keywords (comma-separated)."""
    names = category_names(page)
    return ", ".join(names) if names else None


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty properties, nested ones too: schema.org validators flag empty values."""
    compacted = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = compact(value)
            # A node left with its @type alone says nothing.
            if set(value) <= {"@type"}:
                continue
        elif isinstance(value, list):
            value = [compact(item) if isinstance(item, dict) else item for item in value]
        if value is None or value == "" or value == []:
            continue
        compacted[key] = value
    return compacted

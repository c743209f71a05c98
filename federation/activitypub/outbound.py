"""`to_ap()`: local communes and pages as ActivityPub documents."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils.html import strip_tags

from .wire import AS_CONTEXT, AS_PUBLIC

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def base_url() -> str:
    return settings.FEDERATION_BASE_URL


def actor_url(commune) -> str:
    return f"{base_url()}/ap/communes/{commune.slug}"


def object_url(page_id: int) -> str:
    return f"{base_url()}/ap/objects/{page_id}"


def shared_inbox_url() -> str:
    return f"{base_url()}/ap/inbox"


def commune_to_ap(commune) -> dict[str, Any]:
    """The commune as an Organization actor (Mastodon and Mobilizon read this)."""
    from .keys import actor_key_get_or_create

    url = actor_url(commune)
    key = actor_key_get_or_create(commune=commune)
    site_url = commune.get_full_url() or url
    return {
        "@context": AS_CONTEXT,
        "id": url,
        "type": "Organization",
        "preferredUsername": commune.slug,
        "name": commune.title,
        "summary": strip_tags(str(commune.intro or ""))[:500]
        or f"Commune de {commune.title} ({commune.department_name or commune.department_code})",
        "url": site_url,
        "inbox": f"{url}/inbox",
        "outbox": f"{url}/outbox",
        "followers": f"{url}/followers",
        "following": f"{url}/following",
        "endpoints": {"sharedInbox": shared_inbox_url()},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "inseeCode": commune.insee_code,
        "publicKey": {"id": f"{url}#main-key", "owner": url, "publicKeyPem": key.public_key_pem},
    }


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone or "Europe/Paris"))


def _french_time(moment: dt.datetime) -> str:
    return f"{moment.hour}h{moment.minute:02d}"


def _french_date(moment: dt.datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{WEEKDAYS[moment.weekday()]} {day} {MONTHS[moment.month - 1]} {moment.year}"


def event_summary(page) -> str:
    """One line Mastodon readers understand: date, time, place, then the summary."""
    start = _local(page.start, page.time_zone)
    end = _local(page.end, page.time_zone) if page.end else None
    if page.all_day:
        when = _french_date(start)
        if end and end.date() != start.date():
            when = f"du {_french_date(start)} au {_french_date(end)}"
    elif end and end.date() != start.date():
        when = f"du {_french_date(start)} à {_french_time(start)} " \
               f"au {_french_date(end)} à {_french_time(end)}"
    elif end:
        when = f"{_french_date(start)}, {_french_time(start)} – {_french_time(end)}"
    else:
        when = f"{_french_date(start)}, {_french_time(start)}"
    when = when[0].upper() + when[1:]
    place = ", ".join(part for part in (page.venue_name, page.address) if part)
    commune = page.commune.title if page.commune else ""
    if commune and commune not in place:
        place = f"{place}, {commune}" if place else commune
    parts = [when]
    if place:
        parts.append(place)
    text = " · ".join(parts)
    if page.summary:
        text += f" — {page.summary}"
    return text


def _body_html(page) -> str:
    body = getattr(page, "body", None)
    return str(body) if body else ""


def page_to_ap(page) -> dict[str, Any]:
    """A content page as an AP object: Event (FEP-8a8e), Article, Note or schema.org."""
    commune = page.commune
    actor = actor_url(commune)
    updated = page.last_published_at or page.first_published_at
    published = page.first_published_at or updated
    document: dict[str, Any] = {
        "id": object_url(page.pk),
        "attributedTo": actor,
        "name": page.title,
        "url": page.get_full_url() or object_url(page.pk),
        "published": published.isoformat() if published else None,
        "updated": updated.isoformat() if updated else None,
        "to": [AS_PUBLIC],
        "cc": [f"{actor}/followers"],
    }
    kind = type(page).__name__
    if kind == "EventPage":
        document.update({
            "type": "Event",
            "summary": event_summary(page),
            "content": _body_html(page) or (f"<p>{page.summary}</p>" if page.summary else ""),
            "startTime": page.start.isoformat(),
            "endTime": page.end.isoformat() if page.end else None,
            "timezone": page.time_zone,
            "joinMode": "external" if page.registration_url else "free",
            "externalParticipationUrl": page.registration_url or None,
            "anonymousParticipationEnabled": False,
            "commentsEnabled": False,
            "category": "MEETING",
            "isOnline": False,
            "location": {
                "type": "Place",
                "name": page.venue_name or (commune.title if commune else ""),
                "address": {
                    "type": "PostalAddress",
                    "streetAddress": page.address,
                    "addressLocality": commune.title if commune else "",
                    "addressCountry": "FR",
                },
                "latitude": page.latitude,
                "longitude": page.longitude,
            },
        })
    elif kind == "NewsPage":
        document.update({"type": "Article", "summary": getattr(page, "lead", "") or "",
                         "content": _body_html(page)})
    elif kind == "AlertPage":
        message = str(getattr(page, "message", "") or "")
        document.update({"type": "Note", "summary": None,
                         "content": f"<p><strong>{page.title}</strong></p>{message}"})
    elif kind == "DirectoryEntryPage":
        from cms.api.jsonld import item_jsonld

        schema = item_jsonld(page=page, request=None) or {}
        document.update({"type": "Organization", "kind": page.kind, "summary": strip_tags(
            str(getattr(page, "description", "") or ""))[:500]})
        for key in ("telephone", "email", "address", "openingHours", "geo"):
            if key in schema:
                document[key] = schema[key]
    else:
        document.update({"type": "Article", "content": _body_html(page)})
    document = {key: value for key, value in document.items() if value is not None}
    return document


def tombstone_to_ap(ap_id: str, former_type: str, deleted: dt.datetime) -> dict[str, Any]:
    return {"@context": AS_CONTEXT, "id": ap_id, "type": "Tombstone",
            "formerType": former_type, "deleted": deleted.isoformat()}

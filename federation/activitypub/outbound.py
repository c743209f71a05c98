"""`to_ap()`: local communes and pages as ActivityPub documents."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import format_html, strip_tags

from cms.content.kinds import kind_of_page

from . import presentation
from .wire import AS_CONTEXT, AS_PUBLIC


def base_url() -> str:
    return settings.FEDERATION_BASE_URL


def actor_url(commune) -> str:
    return f"{base_url()}/ap/communes/{commune.slug}"


def object_url(page_id: int) -> str:
    return f"{base_url()}/ap/objects/{page_id}"


def shared_inbox_url() -> str:
    return f"{base_url()}/ap/inbox"


def instance_actor_url() -> str:
    return f"{base_url()}/ap/actor"


def instance_actor_username() -> str:
    """The instance actor's WebFinger user: the host, as Mastodon names its own (a
    commune's slug never holds a dot, so the two never meet)."""
    return urlsplit(base_url()).hostname or "clocher"


def instance_actor_to_ap() -> dict[str, Any]:
    """The server itself, an Application actor: its key signs the GETs this server
    sends (servers in "authorized fetch" mode answer only signed GETs)."""
    from .keys import instance_key_get_or_create

    url = instance_actor_url()
    return {
        "@context": AS_CONTEXT, "id": url, "type": "Application",
        "preferredUsername": instance_actor_username(), "name": "Clocher",
        "url": base_url(), "inbox": shared_inbox_url(),
        "endpoints": {"sharedInbox": shared_inbox_url()},
        "manuallyApprovesFollowers": True, "discoverable": False,
        "publicKey": {"id": f"{url}#main-key", "owner": url,
                      "publicKeyPem": instance_key_get_or_create().public_key_pem},
    }


# Providers of a commune's own pictures ({"icon": …, "image": …}, AS2 Image objects):
# the resident site registers the communicator's logo and cover (frontend/apps.py).
ACTOR_IMAGE_PROVIDERS: list = []


def actor_images_register(provider) -> None:
    ACTOR_IMAGE_PROVIDERS.append(provider)


def actor_images(commune) -> dict[str, Any]:
    images: dict[str, Any] = {}
    for provider in ACTOR_IMAGE_PROVIDERS:
        images |= provider(commune) or {}
    return images


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
        # Generated pictures (presentation.py) unless the commune's identity has its own.
        "icon": {"type": "Image", "mediaType": "image/png", "url": f"{url}/avatar.png"},
        "image": {"type": "Image", "mediaType": "image/png", "url": f"{url}/header.png"},
        **actor_images(commune),
        # Mastodon-compatible clients show these as the profile's fields.
        "attachment": [{"type": "PropertyValue", "name": "Site",
                        "value": format_html('<a href="{0}" rel="me">{1}</a>', site_url,
                                             urlsplit(site_url).netloc)}],
    }


def page_to_ap(page) -> dict[str, Any]:
    """A content page as an AP object: the fields every kind shares, then its kind's own
    (cms/content/kinds.py: an Event, an Article, a Note, a schema.org entry…)."""
    kind = kind_of_page(page)
    commune = page.commune
    actor = actor_url(commune)
    updated = page.last_published_at or page.first_published_at
    published = page.first_published_at or updated
    link = page.get_full_url() or object_url(page.pk)
    document: dict[str, Any] = {
        "id": object_url(page.pk),
        "type": kind.ap_type,
        "attributedTo": actor,
        "name": page.title,
        "url": link,
        "published": published.isoformat() if published else None,
        "updated": updated.isoformat() if updated else None,
        "to": [AS_PUBLIC],
        "cc": [f"{actor}/followers"],
        # Another Clocher server stores it as this kind (others read the type).
        "clocherKind": kind.name,
        **kind.to_ap(page),
    }
    # What Mastodon-compatible clients show: title, lead, body and link in `content`,
    # no `summary` (shown as a content warning); the kind's own beside it for Clocher.
    lead = document.pop("summary", None) or ""
    body = document.get("content") or ""
    document["content"] = presentation.content_for_clients(
        title=page.title, lead=lead, body=body, url=link)
    # A kind's summary is plain text; ActivityStreams reads HTML.
    document["clocherSummary"] = html.escape(lead, quote=False)
    document["clocherName"] = page.title
    if kind.ap_type not in presentation.NAMED_TYPES:
        document.pop("name", None)
    document["clocherContent"] = body
    if attachment := presentation.image_attachment(kind.api_fields(page).get("image")):
        document["attachment"] = attachment
    if jsonld_keys := kind.extra.get("ap_from_jsonld"):
        from cms.readmodel.jsonld import item_jsonld

        schema = item_jsonld(page=page, request=None) or {}
        document.update({key: schema[key] for key in jsonld_keys if key in schema})
    return {key: value for key, value in document.items() if value is not None}


def tombstone_to_ap(ap_id: str, former_type: str, deleted: dt.datetime) -> dict[str, Any]:
    return {"@context": AS_CONTEXT, "id": ap_id, "type": "Tombstone",
            "formerType": former_type, "deleted": deleted.isoformat()}

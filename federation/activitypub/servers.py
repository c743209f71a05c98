"""What software a remote server runs (its NodeInfo), and the one place where Clocher
adapts what it sends to how that software shows it.

Mastodon shows an `Event`'s `name` as its title and Mobilizon needs it; GoToSocial shows
a status's `summary`, or else its `name`, as a content warning, so a Clocher event would
hide behind its own title there. Deliveries to a server whose NodeInfo names such
software leave the event's `name` out (the title is already the first line of
`content`, and `clocherName` keeps it for other Clocher servers). Everything else goes
out the same to every server. docs/federation.md, "How posts look".
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.cache import cache

from .inbound_json import InboundJSONError
from .wire import host_of

logger = logging.getLogger(__name__)

# Software that shows a status's `name` as a content warning when it has no `summary`
# (GoToSocial: internal/typeutils/astointernal.go, "prefer Summary, fall back to Name").
NAME_SHOWN_AS_WARNING = frozenset({"gotosocial"})
NODEINFO_SCHEMAS = ("http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "http://nodeinfo.diaspora.software/ns/schema/2.0")
KNOWN_SECONDS = 86_400      # a server's software, once read, for a day
UNKNOWN_SECONDS = 3_600     # no readable NodeInfo: asked again in an hour


def server_software(url: str) -> str:
    """The NodeInfo software name (lower case) of the server that serves `url`, or ""
    when it cannot be read. Cached per origin (a day; an hour when unknown)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    key = f"ap:software:{origin}"
    name = cache.get(key)
    if name is None:
        name = _software_fetch(origin)
        cache.set(key, name, KNOWN_SECONDS if name else UNKNOWN_SECONDS)
    return name


def _software_fetch(origin: str) -> str:
    from .delivery import client
    from .remote import fetched_document

    try:
        links = fetched_document(client().get(f"{origin}/.well-known/nodeinfo").body)
        href = next(link["href"] for schema in NODEINFO_SCHEMAS
                    for link in links["links"] if link.get("rel") == schema)
        if not isinstance(href, str) or host_of(href) != host_of(origin):
            return ""
        name = fetched_document(client().get(href).body)["software"]["name"]
    except (InboundJSONError, KeyError, TypeError, AttributeError, StopIteration) as error:
        logger.info("nodeinfo of %s unreadable: %s", origin, error)
        return ""
    except Exception as error:  # noqa: BLE001 - network errors of every kind: unknown
        logger.info("nodeinfo of %s unreachable: %s", origin, error)
        return ""
    return name.strip().lower()[:40] if isinstance(name, str) else ""


def activity_for(activity: dict, *, inbox: str) -> dict:
    """The activity as the server of `inbox` should get it (its software asked only when
    the activity carries an event's name)."""
    obj = activity.get("object")
    if isinstance(obj, dict) and obj.get("type") == "Event" and "name" in obj \
            and server_software(inbox) in NAME_SHOWN_AS_WARNING:
        return {**activity, "object": {k: v for k, v in obj.items() if k != "name"}}
    return activity

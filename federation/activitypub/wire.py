"""ActivityPub wire format: typed models, one `parse()` entry point, one error type.

Only what Clocher reads is modelled; everything else in a payload is ignored. Every
field is typed here, as plain text or HTML through the one policy of
cms/core/sanitise.py (a kind's `from_ap` gets them typed; the mirror sanitises the
page's declared HTML fields again before storing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cms.core import sanitise

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "schema": "http://schema.org#",
        "toot": "http://joinmastodon.org/ns#",
        "mz": "https://joinmobilizon.org/ns#",
        "timezone": {"@id": "mz:timezone", "@type": "schema:Text"},
        "address": {"@id": "schema:address", "@type": "schema:PostalAddress"},
        "PostalAddress": "schema:PostalAddress",
        "streetAddress": "schema:streetAddress",
        "addressLocality": "schema:addressLocality",
        "inseeCode": "schema:identifier",
        "discoverable": "toot:discoverable",
    },
]
ACTIVITY_TYPES = {"Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo",
                  "Announce", "Join", "Leave", "Like", "Ignore"}
OBJECT_TYPES = {"Event", "Article", "Note", "Page", "Tombstone", "Place", "Organization",
                "LocalBusiness", "Person", "Service", "Application", "Group"}
MAX_NAME = 255
MAX_SUMMARY = 2000
MAX_CONTENT = 100_000


class WireError(Exception):
    """The payload is not an ActivityPub document Clocher accepts."""


def plain_text(value: Any, *, limit: int = MAX_NAME) -> str:
    """Names and summaries are plain text: tags dropped, entities decoded, whitespace
    folded (cms/core/sanitise.py); whoever renders them escapes them."""
    return sanitise.text_of_markup(value, limit=limit)


def safe_html(value: Any, *, limit: int = MAX_CONTENT) -> str:
    """Remote HTML through the one policy (cms/core/sanitise.py)."""
    return sanitise.html_clean(value, limit=limit)


def _id_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return ""


def _url(value: Any) -> str:
    url = _id_of(value)
    if isinstance(value, list) and value:
        url = _id_of(value[0]) or (value[0].get("href", "") if isinstance(value[0], dict) else "")
    if isinstance(value, dict) and not url:
        url = value.get("href", "")
    parts = urlsplit(url) if isinstance(url, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return url[:500]


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


@dataclass
class Place:
    name: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class APObject:
    """A content object (Event, Article, Note, schema.org entry) or a Tombstone."""

    id: str
    type: str
    attributed_to: str = ""
    name: str = ""
    summary: str = ""
    content: str = ""
    url: str = ""
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    timezone: str = ""
    location: Place | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> dt.datetime | None:
        return self.updated or self.published


@dataclass
class Actor:
    id: str
    type: str
    inbox: str
    shared_inbox: str = ""
    outbox: str = ""
    followers: str = ""
    preferred_username: str = ""
    name: str = ""
    summary: str = ""
    url: str = ""
    public_key_id: str = ""
    public_key_pem: str = ""
    insee_code: str = ""


@dataclass(frozen=True)
class PublicKey:
    """A signing key as a server publishes it: its id, its owner and its PEM."""

    id: str
    owner: str
    pem: str


@dataclass
class Activity:
    id: str
    type: str
    actor: str
    object_id: str = ""
    object: APObject | Activity | Actor | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def announce_depth(self) -> int:
        depth, inner = 0, self
        while isinstance(inner, Activity) and inner.type == "Announce":
            depth += 1
            inner = inner.object  # type: ignore[assignment]
        return depth


def _place(value: Any) -> Place | None:
    if not isinstance(value, dict):
        return None
    address = value.get("address")
    if isinstance(address, dict):
        address_text = ", ".join(
            plain_text(address.get(key))
            for key in ("streetAddress", "postalCode", "addressLocality")
            if plain_text(address.get(key))
        )
    else:
        address_text = plain_text(address)

    def number(key: str, bound: float) -> float | None:
        raw = value.get(key)
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None
        return number if -bound <= number <= bound else None

    return Place(name=plain_text(value.get("name")), address=address_text[:255],
                 latitude=number("latitude", 90), longitude=number("longitude", 180))


def parse_object(data: Any) -> APObject:
    if not isinstance(data, dict):
        raise WireError("object must be a JSON object")
    object_id = _url(data.get("id"))
    object_type = data.get("type")
    if isinstance(object_type, list):
        object_type = next((t for t in object_type if t in OBJECT_TYPES), None)
    if not object_id or not isinstance(object_type, str):
        raise WireError("object needs an http(s) id and a type")
    extra = {}
    # clocherKind: the content kind another Clocher server says the object is.
    for key in ("telephone", "email", "openingHours", "kind", "clocherKind"):
        if key in data:
            extra[key] = plain_text(data.get(key))
    # Another Clocher server sends its item's own summary and content beside what
    # Mastodon-compatible clients show (title, lead and link in `content`, no `summary`:
    # they show a summary as a content warning).
    from_clocher = "clocherKind" in data
    summary = data.get("clocherSummary") if from_clocher and "clocherSummary" in data \
        else data.get("summary")
    content = data.get("clocherContent") if from_clocher and "clocherContent" in data \
        else data.get("content")
    return APObject(
        id=object_id, type=object_type,
        attributed_to=_id_of(next(iter(_list(data.get("attributedTo"))), "")),
        name=plain_text(data.get("clocherName") if from_clocher and "clocherName" in data
                        else data.get("name")),
        summary=plain_text(summary, limit=MAX_SUMMARY),
        content=safe_html(content),
        url=_url(data.get("url")) or object_id,
        published=_datetime(data.get("published")),
        updated=_datetime(data.get("updated")),
        start_time=_datetime(data.get("startTime")),
        end_time=_datetime(data.get("endTime")),
        timezone=plain_text(data.get("timezone"), limit=64),
        location=_place(data.get("location")),
        extra=extra,
    )


def parse_actor(data: Any) -> Actor:
    if not isinstance(data, dict):
        raise WireError("actor must be a JSON object")
    actor_id, inbox = _url(data.get("id")), _url(data.get("inbox"))
    if not actor_id or not inbox:
        raise WireError("actor needs an id and an inbox")
    key = _key_of(data.get("publicKey"))
    endpoints = data.get("endpoints") if isinstance(data.get("endpoints"), dict) else {}
    return Actor(
        id=actor_id, type=str(data.get("type", "")), inbox=inbox,
        shared_inbox=_url(endpoints.get("sharedInbox")),
        outbox=_url(data.get("outbox")), followers=_url(data.get("followers")),
        preferred_username=plain_text(data.get("preferredUsername"), limit=100),
        name=plain_text(data.get("name")), summary=safe_html(data.get("summary"), limit=5000),
        url=_url(data.get("url")) or actor_id,
        public_key_id=_url(key.get("id")),
        public_key_pem=key.get("publicKeyPem", "") if isinstance(key.get("publicKeyPem"), str)
        else "",
        insee_code=plain_text(data.get("inseeCode"), limit=5),
    )


def _key_of(value: Any) -> dict:
    """The first key of a `publicKey` (an object, or a list of them)."""
    for candidate in _list(value):
        if isinstance(candidate, dict):
            return candidate
    return {}


def parse_key(data: Any) -> PublicKey:
    """The key a fetched key document describes, however the server publishes it:
    a `Key`/`CryptographicKey` document (`id`, `owner`, `publicKeyPem`), or an actor,
    full or minimal (GoToSocial's `…/main-key` answers a `Person` with only `id`,
    `preferredUsername` and `publicKey`), whose `publicKey` names the key."""
    if not isinstance(data, dict):
        raise WireError("key document must be a JSON object")
    if data.get("type") in ("Key", "CryptographicKey"):
        key, owner = data, _id_of(data.get("owner"))
    else:
        key = _key_of(data.get("publicKey"))
        owner = _id_of(key.get("owner")) or _id_of(data.get("id"))
    key_id, owner = _url(key.get("id")), _url(owner)
    pem = key.get("publicKeyPem")
    if not key_id or not owner or not isinstance(pem, str) or not pem.strip():
        raise WireError("key document needs a key id, an owner and a publicKeyPem")
    return PublicKey(id=key_id, owner=owner, pem=pem)


def parse(data: Any, *, depth: int = 0) -> Activity:
    """Read an activity (the only entry point for inbound documents)."""
    if depth > 8:
        raise WireError("activity nested too deeply")
    if not isinstance(data, dict):
        raise WireError("activity must be a JSON object")
    activity_type = data.get("type")
    if activity_type not in ACTIVITY_TYPES:
        raise WireError(f"unsupported activity type {activity_type!r}")
    activity_id, actor = _url(data.get("id")), _id_of(data.get("actor"))
    if not activity_id or not _url(actor):
        raise WireError("activity needs an http(s) id and actor")
    raw_object = data.get("object")
    parsed: APObject | Activity | Actor | None = None
    if isinstance(raw_object, dict):
        inner_type = raw_object.get("type")
        if isinstance(inner_type, str) and inner_type in ACTIVITY_TYPES:
            parsed = parse(raw_object, depth=depth + 1)
        elif isinstance(inner_type, list) or inner_type in OBJECT_TYPES:
            parsed = parse_object(raw_object)
    object_id = _id_of(raw_object)
    if not object_id and parsed is None:
        raise WireError("activity needs an object")
    return Activity(id=activity_id, type=activity_type, actor=actor, object_id=object_id,
                    object=parsed, to=[_id_of(v) for v in _list(data.get("to"))],
                    cc=[_id_of(v) for v in _list(data.get("cc"))], raw=data)

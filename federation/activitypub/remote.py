"""Remote actors: WebFinger look-up, fetching from their origin, following them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from federation.domains import domain_and_parents

from .delivery import client
from .inbound_json import InboundJSONError, json_document
from .wire import WireError, host_of, parse_actor, parse_key

ACCEPT_AP = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
HANDLE = re.compile(r"^@?(?P<user>[\w.\-]+)@(?P<host>[\w.\-]+(:\d+)?)$")


class RemoteError(Exception):
    """A remote actor or object could not be fetched or is not acceptable."""


def _blocked_candidates(domain: str) -> list[str]:
    """domain and each of its parent domains, normalised as the blocklist stores them
    (federation/domains.py: no user, port or trailing dot; lower case; IDNA)."""
    return domain_and_parents(domain)


def _blocked(domain: str):
    """The BlockedDomain rows that block domain (itself or a parent domain)."""
    from federation.models import BlockedDomain

    return BlockedDomain.objects.filter(domain__in=_blocked_candidates(domain))


def domain_blocked(domain: str) -> bool:
    return _blocked(domain).exists()


def fetched_document(body: bytes) -> object:
    """A fetched document, decoded within the limits of inbound JSON (inbound_json.py)."""
    return json_document(body, max_bytes=settings.FEDERATION_FETCH_MAX_BYTES,
                         max_depth=settings.FEDERATION_JSON_MAX_DEPTH)


def _sign_as_instance(method: str, url: str, headers: dict[str, str],
                      body: bytes | None) -> dict[str, str]:
    """Sign a GET with the instance actor's key (a fresh signature on each redirect hop):
    servers in "authorized fetch" mode (Mastodon's option, GoToSocial always) answer
    401 to unsigned GETs of their actors and objects."""
    from .keys import instance_private_key
    from .outbound import instance_actor_url
    from .signatures import sign_request

    return sign_request(method=method, url=url, headers=headers, body=body,
                        key_id=f"{instance_actor_url()}#main-key",
                        private_key=instance_private_key())


def fetch_json(url: str) -> dict:
    """GET an ActivityPub document through the SSRF-safe client, signed."""
    try:
        response = client().get(url, headers={"Accept": ACCEPT_AP}, sign=_sign_as_instance)
    except Exception as error:  # noqa: BLE001
        raise RemoteError(f"cannot fetch {url}: {error}") from error
    if response.status != 200:
        raise RemoteError(f"{url}: HTTP {response.status}")
    try:
        data = fetched_document(response.body)
    except InboundJSONError as error:
        raise RemoteError(f"{url}: {error}") from error
    if not isinstance(data, dict):
        raise RemoteError(f"{url}: not a JSON object")
    return data


def remote_actor_store(*, data: dict):
    """Create or refresh a RemoteActor from its (origin-fetched) document."""
    from federation.models import RemoteActor

    try:
        actor = parse_actor(data)
    except WireError as error:
        raise RemoteError(str(error)) from error
    if actor.public_key_id and host_of(actor.public_key_id) != host_of(actor.id):
        raise RemoteError("the actor's key lives on another host")
    if host_of(actor.inbox) != host_of(actor.id):
        raise RemoteError("the actor's inbox lives on another host")
    if len(host_of(actor.id)) > RemoteActor._meta.get_field("domain").max_length:
        raise RemoteError("the actor's host name is too long")
    values = {
        "domain": host_of(actor.id), "type": actor.type[:40], "inbox": actor.inbox,
        "shared_inbox": actor.shared_inbox if host_of(actor.shared_inbox) == host_of(actor.id)
        else "",
        "followers_url": actor.followers, "preferred_username": actor.preferred_username,
        "name": actor.name, "summary": actor.summary, "profile_url": actor.url,
        "insee_code": actor.insee_code, "public_key_id": actor.public_key_id,
        "public_key_pem": actor.public_key_pem, "fetched_at": timezone.now(),
    }
    remote, _created = RemoteActor.objects.update_or_create(url=actor.id, defaults=values)
    return remote


def remote_actor_fetch(*, url: str, refresh: bool = False):
    """The RemoteActor at url, fetched from its origin unless cached (or refresh)."""
    from federation.models import RemoteActor

    url = urldefrag(url)[0]
    if domain_blocked(host_of(url)):
        raise RemoteError("domain blocked")
    if not refresh:
        cached = RemoteActor.objects.filter(url=url).first()
        if cached is not None:
            return cached
    data = fetch_json(url)
    if data.get("id") != url:
        raise RemoteError("the document's id is not the URL it was fetched from")
    return remote_actor_store(data=data)


@dataclass(frozen=True)
class KeyOwner:
    """The stored owner of a key, as an inbox POST needs it."""

    url: str
    public_key_pem: str
    blocked: bool  # whether the host asked about is blocked


def remote_actor_cached_for_key(*, key_id: str, blocked_host: str) -> KeyOwner | None:
    """The stored actor owning key_id (None if unknown here), with whether blocked_host
    is blocked: what an inbox POST checks first, in one query.

    Plain SQL: on every inbox POST, building this query with the ORM (a model instance
    with every column, an Exists() annotation) cost as much CPU as the rest of the view.
    """
    from federation.models import BlockedDomain, RemoteActor

    candidates = _blocked_candidates(blocked_host)
    placeholders = ", ".join(["%s"] * len(candidates))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT actor.url, actor.public_key_pem, EXISTS (SELECT 1 FROM "  # noqa: S608
            f"{BlockedDomain._meta.db_table} WHERE domain IN ({placeholders})) "
            f"FROM {RemoteActor._meta.db_table} AS actor WHERE actor.public_key_id = %s "
            f"ORDER BY actor.id LIMIT 1", [*candidates, key_id])
        row = cursor.fetchone()
    return KeyOwner(url=row[0], public_key_pem=row[1], blocked=bool(row[2])) if row else None


def _key_failure_cache_key(key_id: str) -> str:
    return f"federation:key-fetch-failed:{hashlib.sha256(key_id.encode()).hexdigest()}"


def key_fetch_failure_record(*, key_id: str) -> None:
    """Remember that key_id could not be fetched, or that fetching it again did not
    help: it is not fetched again for FEDERATION_KEY_FETCH_FAILURE_SECONDS (anyone
    choosing a keyId must not make this server fetch it on every POST)."""
    seconds = settings.FEDERATION_KEY_FETCH_FAILURE_SECONDS
    if seconds > 0:
        cache.set(_key_failure_cache_key(key_id), True, timeout=seconds)


def key_fetch_failed_recently(*, key_id: str) -> bool:
    return cache.get(_key_failure_cache_key(key_id)) is not None


def remote_actor_for_key(*, key_id: str, refresh: bool = False):
    """The actor owning key_id (a `<actor>#main-key` URL or the actor itself).

    A key whose fetch failed lately is not fetched again (key_fetch_failure_record)."""
    from federation.models import RemoteActor

    if not refresh:
        cached = RemoteActor.objects.filter(public_key_id=key_id).first()
        if cached is not None:
            return cached
    if key_fetch_failed_recently(key_id=key_id):
        raise RemoteError("its fetch failed lately; not fetched again yet")
    try:
        return _remote_actor_for_key_fetch(key_id)
    except RemoteError:
        key_fetch_failure_record(key_id=key_id)
        raise


def _remote_actor_for_key_fetch(key_id: str):
    """Find key_id's owner however its server publishes the key, and make sure the owner
    claims it:

    - an actor whose `publicKey.id` is `<actor>#main-key` (Mastodon, Clocher): the
      fragment-less URL is the actor;
    - a `Key` document whose `owner` is the actor;
    - a minimal actor at the key's URL whose `publicKey.id` is the key and whose `id`
      is the actor (GoToSocial's `…/users/alice/main-key`): the full actor is then
      fetched from its own URL.

    Either way the stored actor is the one fetched from its own URL, on the key's host,
    and its own document must name key_id as its key (or key_id is the actor itself).
    """
    document_url = urldefrag(key_id)[0]
    if domain_blocked(host_of(document_url)):
        raise RemoteError("domain blocked")
    data = fetch_json(document_url)
    if data.get("id") == document_url and data.get("inbox"):
        actor = remote_actor_store(data=data)
    else:
        try:
            key = parse_key(data)
        except WireError as error:
            raise RemoteError(f"not a key document: {error}") from error
        if key.id != key_id:
            raise RemoteError("the key document does not describe this key")
        if host_of(key.owner) != host_of(key_id):
            raise RemoteError("the key's owner lives on another host")
        actor = remote_actor_fetch(url=key.owner, refresh=True)
    if key_id not in (actor.public_key_id, actor.url):
        raise RemoteError("the key's owner does not name this key as its own")
    return actor


def webfinger_resolve(*, handle: str) -> str:
    """Return the actor URL of `user@host` (WebFinger, RFC 7033)."""
    match = HANDLE.match(handle.strip())
    if not match:
        raise RemoteError(f"not a handle: {handle!r}")
    host = match["host"]
    scheme = "http" if _is_allowed_plain_http(host) else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{match['user']}@{host}"
    try:
        response = client().get(url, headers={"Accept": "application/jrd+json"})
        data = fetched_document(response.body)
    except Exception as error:  # noqa: BLE001
        raise RemoteError(f"WebFinger failed for {handle}: {error}") from error
    for link in data.get("links", []) if isinstance(data, dict) else []:
        kind = link.get("type", "") if isinstance(link, dict) else ""
        if link.get("rel") == "self" and ("activity+json" in kind or "ld+json" in kind) \
                and isinstance(link.get("href"), str):
            return link["href"]
    raise RemoteError(f"{handle} has no ActivityPub actor")


def _is_allowed_plain_http(host: str) -> bool:
    # Loopback peers allowed for tests speak plain HTTP; everything else is HTTPS.
    return host.lower() in {peer.lower() for peer in settings.FEDERATION_ALLOWED_PRIVATE_PEERS}


def follow_remote(*, commune, handle_or_url: str):
    """A local commune follows a remote actor: Follow is recorded, Accept arrives later."""
    from federation.models import Follow, FollowDirection, FollowState

    url = handle_or_url if urlsplit(handle_or_url).scheme in ("http", "https") \
        else webfinger_resolve(handle=handle_or_url)
    remote = remote_actor_fetch(url=url, refresh=True)
    from . import outbox

    with transaction.atomic():
        follow, _created = Follow.objects.get_or_create(
            commune=commune, remote_actor=remote, direction=FollowDirection.OUTBOUND)
        follow.state = FollowState.PENDING
        follow.ap_id = outbox.follow_record(commune=commune, remote_actor=remote)
        follow.save()
    return follow


def unfollow_remote(*, commune, remote_actor) -> None:
    from federation.models import Follow, FollowDirection, FollowState

    from . import outbox

    follow = Follow.objects.filter(commune=commune, remote_actor=remote_actor,
                                   direction=FollowDirection.OUTBOUND).first()
    if follow is None:
        return
    with transaction.atomic():
        outbox.unfollow_record(commune=commune, remote_actor=remote_actor, follow_id=follow.ap_id)
        follow.state = FollowState.UNDONE
        follow.save()

"""Inbound activities: verified and stored by the view, applied by a worker.

`inbox_accept()` is all the view does (size, JSON, signature, key owner, replay,
host rules, then store). `handle_received()` is the worker's one handler for the
`received` state; `handle_failed()` puts a failed message back after its retry time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .outbound import actor_url, base_url
from .remote import (
    RemoteError,
    domain_blocked,
    remote_actor_cached_for_key,
    remote_actor_fetch,
    remote_actor_for_key,
)
from .signatures import SignatureError, SignedRequest, signature_key_id, verify_request
from .wire import Activity, APObject, WireError, host_of, parse
from .worker import drain_enqueue_on_commit

logger = logging.getLogger(__name__)

CONTENT_TYPES = {"Event", "Article", "Note", "Page", "Organization", "LocalBusiness"}
ACTOR_TYPES = {"Organization", "Person", "Service", "Application", "Group"}


class InboxRejectedError(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Accepted:
    message_id: int | None
    duplicate: bool


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def inbox_accept(*, request: SignedRequest, commune=None) -> Accepted:
    """Check and store one inbox POST, or raise InboxRejectedError(status, reason)."""
    if len(request.body) > settings.FEDERATION_INBOX_MAX_BYTES:
        raise InboxRejectedError(413, "body too large")
    try:
        data = json.loads(request.body)
        if _has_nul(data):
            # PostgreSQL cannot store U+0000 (jsonb, text); no real activity carries one.
            raise ValueError("NUL characters are not accepted")
        activity = parse(data)
    except (ValueError, WireError) as error:
        raise InboxRejectedError(400, f"bad activity: {error}") from error
    try:
        key_id = signature_key_id(request)
    except SignatureError as error:
        if domain_blocked(host_of(activity.actor)):
            raise InboxRejectedError(403, "domain blocked") from error
        raise InboxRejectedError(401, str(error)) from error
    # The cached key and the block of the actor's domain in one query (the common case).
    signer = remote_actor_cached_for_key(key_id=key_id, blocked_host=host_of(activity.actor))
    if signer.blocked if signer is not None else domain_blocked(host_of(activity.actor)):
        raise InboxRejectedError(403, "domain blocked")
    if signer is None:
        try:
            signer = remote_actor_for_key(key_id=key_id)
        except RemoteError as error:
            raise InboxRejectedError(401, f"unknown key: {error}") from error
    try:
        verify_request(request, public_key_pem=signer.public_key_pem,
                       max_skew=settings.FEDERATION_SIGNATURE_MAX_SKEW_SECONDS)
    except SignatureError as first_error:
        # The key may have been rotated: fetch the actor again from its origin, once.
        try:
            signer = remote_actor_for_key(key_id=key_id, refresh=True)
            verify_request(request, public_key_pem=signer.public_key_pem,
                           max_skew=settings.FEDERATION_SIGNATURE_MAX_SKEW_SECONDS)
        except (SignatureError, RemoteError):
            raise InboxRejectedError(401, str(first_error)) from first_error
    if signer.url != activity.actor:
        raise InboxRejectedError(401, "the key's owner is not the activity's actor")
    actor_host = host_of(activity.actor)
    if host_of(activity.id) != actor_host:
        raise InboxRejectedError(400, "the activity does not live on its actor's host")
    if activity.type in ("Create", "Update", "Delete") and activity.object_id \
            and host_of(activity.object_id) != actor_host:
        raise InboxRejectedError(400, "the object does not live on its actor's host")
    if isinstance(activity.object, APObject) and activity.object.attributed_to \
            and activity.type in ("Create", "Update") \
            and activity.object.attributed_to != activity.actor:
        raise InboxRejectedError(400, "the object is attributed to another actor")
    message_id = _message_insert(activity_id=activity.id, actor_url=activity.actor,
                                 commune=commune, body=data)
    if message_id is None:
        return Accepted(message_id=None, duplicate=True)
    drain_enqueue_on_commit()
    return Accepted(message_id=message_id, duplicate=False)


def _message_insert(*, activity_id: str, actor_url: str, commune, body: dict) -> int | None:
    """Store a received message unless its activity id is stored already (a replay):
    its pk, or None.

    One INSERT ... ON CONFLICT DO NOTHING, atomic by itself: the unique activity id makes
    the message its own replay record, with neither an IntegrityError nor the savepoint
    a caller's transaction would need for one. Plain SQL because the ORM's create()
    was a quarter of the view's CPU; the columns are the model's (a test checks that
    this sets every one of them, as the model's defaults would).
    """
    from federation.models import InboxMessage, InboxState

    now = timezone.now()
    values = {
        "activity_id": activity_id, "actor_url": actor_url,
        "commune": commune.pk if commune is not None else None, "body": body,
        "state": InboxState.RECEIVED, "state_changed_at": now, "next_attempt_at": now,
        "attempts": 0, "last_error": "", "deadline": now + dt.timedelta(hours=24),
        "received_at": now,
    }
    meta = InboxMessage._meta
    fields = [meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608 - names from the model
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({quote(meta.get_field('activity_id').column)}) DO NOTHING "
            f"RETURNING {quote(meta.pk.column)}",
            [field.get_db_prep_save(value, connection)
             for field, value in zip(fields, values.values(), strict=True)])
        row = cursor.fetchone()
    return row[0] if row else None


# --- worker ----------------------------------------------------------------------------


def _local_commune(url: str):
    from cms.communes.models import CommuneHomePage

    prefix = f"{base_url()}/ap/communes/"
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    slug = url[len(prefix):].strip("/")
    return CommuneHomePage.objects.filter(slug=slug, origin_server="").first() if slug else None


def _is_followed(remote_actor) -> bool:
    from federation.models import Follow, FollowDirection, FollowState

    return Follow.objects.filter(remote_actor=remote_actor, direction=FollowDirection.OUTBOUND,
                                 state=FollowState.ACCEPTED).exists()


def handle_follow(activity: Activity, remote_actor) -> str:
    from federation.models import Follow, FollowDirection, FollowState

    from . import outbox

    commune = _local_commune(activity.object_id)
    if commune is None:
        return "ignored: not a local commune"
    with transaction.atomic():
        follow, _created = Follow.objects.update_or_create(
            commune=commune, remote_actor=remote_actor, direction=FollowDirection.INBOUND,
            defaults={"state": FollowState.ACCEPTED, "ap_id": activity.id})
        outbox.reply_record(commune=commune, activity_type="Accept", remote_actor=remote_actor,
                            object_={"id": activity.id, "type": "Follow",
                                     "actor": remote_actor.url, "object": actor_url(commune)})
    return "processed"


def handle_undo(activity: Activity, remote_actor) -> str:
    from federation.models import Follow, FollowDirection

    inner = activity.object
    if isinstance(inner, Activity) and inner.type == "Follow":
        if inner.actor != activity.actor:
            return "ignored: undo of someone else's follow"
        commune = _local_commune(inner.object_id)
        Follow.objects.filter(commune=commune, remote_actor=remote_actor,
                              direction=FollowDirection.INBOUND).delete()
        return "processed"
    follows = Follow.objects.filter(remote_actor=remote_actor, ap_id=activity.object_id,
                                    direction=FollowDirection.INBOUND)
    return "processed" if follows.delete()[0] else "ignored: nothing to undo"


def handle_accept_or_reject(activity: Activity, remote_actor) -> str:
    from federation.models import Follow, FollowDirection, FollowState

    follow_id = activity.object_id
    follows = Follow.objects.filter(remote_actor=remote_actor, direction=FollowDirection.OUTBOUND)
    follow = follows.filter(ap_id=follow_id).first()
    if follow is None and isinstance(activity.object, Activity):
        follow = follows.filter(commune=_local_commune(activity.object.actor)).first()
    if follow is None:
        return "ignored: unknown follow"
    follow.state = FollowState.ACCEPTED if activity.type == "Accept" else FollowState.REJECTED
    follow.save()
    return "processed"


def handle_create_or_update(activity: Activity, remote_actor) -> str:
    from .mirror import object_store
    from .remote import remote_actor_store

    obj = activity.object
    if obj is None:
        return "ignored: object not embedded"
    if activity.type == "Update" and obj.type in ACTOR_TYPES and obj.id == activity.actor:
        from .remote import fetch_json

        # Trust the origin, not the embedded copy: refetch the actor (new key, new name).
        remote_actor_store(data=fetch_json(activity.actor))
        return "processed"
    if not isinstance(obj, APObject) or obj.type not in CONTENT_TYPES:
        return "ignored: unsupported object"
    if obj.type in ACTOR_TYPES and obj.attributed_to != activity.actor:
        # A directory entry names its author; an actor document of another actor is not one.
        return "ignored: update of another actor"
    if not _is_followed(remote_actor):
        return "ignored: no local commune follows this actor"
    _page, outcome = object_store(obj=obj, remote_actor=remote_actor)
    return "processed" if outcome in ("created", "updated") else f"ignored: {outcome}"


def handle_delete(activity: Activity, remote_actor) -> str:
    from federation.models import Follow

    from .mirror import object_delete

    if activity.object_id == activity.actor:
        Follow.objects.filter(remote_actor=remote_actor).delete()
        return "processed"
    outcome = object_delete(ap_id=activity.object_id, remote_actor=remote_actor)
    return "processed" if outcome == "deleted" else f"ignored: {outcome}"


def handle_join(activity: Activity, remote_actor) -> str:
    """Joining a commune's event happens on the commune's site: answer Ignore."""
    from cms.content.models import EventPage

    from . import outbox

    prefix = f"{base_url()}/ap/objects/"
    if not activity.object_id.startswith(prefix):
        return "ignored: not a local object"
    page = EventPage.objects.filter(pk=activity.object_id[len(prefix):].strip("/") or 0).first() \
        if activity.object_id[len(prefix):].strip("/").isdigit() else None
    if page is None or page.commune is None:
        return "ignored: unknown event"
    outbox.reply_record(commune=page.commune, activity_type="Ignore", remote_actor=remote_actor,
                        object_=activity.raw)
    return "processed"


def handle_announce(activity: Activity, remote_actor) -> str:
    """Boosts: never our own objects (loops), never deeper than the hop limit, and the
    object is fetched from its origin rather than trusted from the boost."""
    from .mirror import object_store
    from .remote import fetch_json
    from .wire import parse_object

    if activity.announce_depth > settings.FEDERATION_HOP_LIMIT:
        return "ignored: hop limit"
    object_id = activity.object_id
    inner = activity.object
    while isinstance(inner, Activity):
        object_id, inner = inner.object_id, inner.object
    if not object_id or host_of(object_id) == host_of(base_url()):
        return "ignored: own object"
    try:
        obj = parse_object(fetch_json(object_id))
    except (RemoteError, WireError) as error:
        return f"ignored: {error}"
    if obj.id != object_id or host_of(obj.attributed_to) != host_of(obj.id):
        return "ignored: object not on its author's host"
    try:
        author = remote_actor_fetch(url=obj.attributed_to)
    except RemoteError as error:
        return f"ignored: {error}"
    if not _is_followed(author):
        return "ignored: author not followed"
    _page, outcome = object_store(obj=obj, remote_actor=author)
    return "processed" if outcome in ("created", "updated") else f"ignored: {outcome}"


HANDLERS = {
    "Follow": handle_follow, "Undo": handle_undo, "Accept": handle_accept_or_reject,
    "Reject": handle_accept_or_reject, "Create": handle_create_or_update,
    "Update": handle_create_or_update, "Delete": handle_delete, "Join": handle_join,
    "Announce": handle_announce,
}


def handle_received(message) -> str:
    """Apply one stored activity; move the message to processed, ignored or failed."""
    from federation.models import RemoteActor

    try:
        activity = parse(message.body)
        remote_actor = RemoteActor.objects.filter(url=activity.actor).first()
        if remote_actor is None:
            remote_actor = remote_actor_fetch(url=activity.actor)
        handler = HANDLERS.get(activity.type)
        outcome = handler(activity, remote_actor) if handler else "ignored: unsupported type"
    except Exception as error:  # noqa: BLE001 - kept for a retry, then visible in the admin
        logger.exception("inbox message %s failed", message.pk)
        message_failed(message, error)
        message.save()
        return message.state
    message_outcome(message, outcome)
    message.save()
    return message.state


def message_failed(message, error: BaseException) -> None:
    """Move a message to failed, to be retried with backoff (not saved)."""
    from federation.models import InboxState

    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.transition(InboxState.FAILED)
    message.next_attempt_at = timezone.now() + dt.timedelta(minutes=2 ** message.attempts)


def message_outcome(message, outcome: str) -> None:
    """Move a message to processed, or ignored with the reason (not saved)."""
    from federation.models import InboxState

    if outcome == "processed":
        message.transition(InboxState.PROCESSED)
    else:
        message.last_error = outcome
        message.transition(InboxState.IGNORED)


def handle_failed(message) -> str:
    from federation.models import InboxState

    if message.deadline and timezone.now() > message.deadline or message.attempts >= 6:
        # Given up: stays failed (visible in the admin), never claimed again.
        message.next_attempt_at = timezone.now() + dt.timedelta(days=3650)
        message.save(update_fields=["next_attempt_at"])
        return message.state
    message.transition(InboxState.RECEIVED)
    message.save()
    return handle_received(message)


def inbox_run(*, limit: int = 200) -> int:
    """Apply due inbox messages, oldest first; return how many were handled.

    Claimed with row locks and a two-minute lease (two workers never take the same
    message), then applied in batches (inbox_batch.py) unless FEDERATION_INBOX_BULK
    is off, which keeps the one-by-one path (benchmarks compare the two).
    """
    from django.db import connection

    from federation.models import InboxMessage, InboxState

    now = timezone.now()
    with transaction.atomic():
        due = InboxMessage.objects.filter(state__in=[InboxState.RECEIVED, InboxState.FAILED],
                                          next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("received_at", "pk").values_list("pk", flat=True)[:limit])
        InboxMessage.objects.filter(pk__in=ids).update(
            next_attempt_at=now + dt.timedelta(seconds=120))
    messages = list(InboxMessage.objects.filter(pk__in=ids).order_by("received_at", "pk"))
    if settings.FEDERATION_INBOX_BULK:
        from .inbox_batch import inbox_apply_batch

        inbox_apply_batch(messages)
        return len(ids)
    for message in messages:
        if message.state == InboxState.RECEIVED:
            handle_received(message)
        else:
            handle_failed(message)
    return len(ids)

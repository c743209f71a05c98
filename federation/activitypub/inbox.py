"""Inbound activities, the edge: what the inbox view does before answering 202.

`inbox_accept()` checks size, JSON, signature, key owner, replay and host rules, then
stores the message. A worker applies it later (inbox_messages.py: `handle_received()`,
`handle_failed()`, `inbox_run()`; one handler per activity type in
inbox_activities.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .inbound_json import InboundJSONError, activity_shape_check, json_document
from .remote import (
    RemoteError,
    domain_blocked,
    key_fetch_failure_record,
    remote_actor_cached_for_key,
    remote_actor_for_key,
)
from .signatures import SignatureError, SignedRequest, signature_key_id, verify_request
from .wire import ACTIVITY_TYPES, APObject, WireError, host_of, parse
from .worker import drain_enqueue_on_commit

logger = logging.getLogger(__name__)


class InboxRejectedError(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Accepted:
    message_id: int | None
    duplicate: bool


def inbox_accept(*, request: SignedRequest, commune=None) -> Accepted:
    """Check and store one inbox POST, or raise InboxRejectedError(status, reason)."""
    if len(request.body) > settings.FEDERATION_INBOX_MAX_BYTES:
        raise InboxRejectedError(413, "body too large")
    try:
        # Size and depth bounded before decoding; no NUL (PostgreSQL cannot store it).
        data = json_document(request.body, max_bytes=settings.FEDERATION_INBOX_MAX_BYTES,
                             max_depth=settings.FEDERATION_JSON_MAX_DEPTH)
        activity_shape_check(data, activity_types=ACTIVITY_TYPES)
        activity = parse(data)
    except (InboundJSONError, WireError) as error:
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
            # Why stays here: the keyId is the sender's choice, and the reason may say
            # what its host resolves to or how it answered.
            logger.info("inbox: key %r refused: %s", key_id, error)
            raise InboxRejectedError(401, "unknown key") from error
    try:
        verify_request(request, public_key_pem=signer.public_key_pem,
                       max_skew=settings.FEDERATION_SIGNATURE_MAX_SKEW_SECONDS)
    except SignatureError as first_error:
        # The key may have been rotated: fetch the actor again from its origin, once,
        # and not again for a while if that did not help (remote.py's negative cache).
        try:
            signer = remote_actor_for_key(key_id=key_id, refresh=True)
            verify_request(request, public_key_pem=signer.public_key_pem,
                           max_skew=settings.FEDERATION_SIGNATURE_MAX_SKEW_SECONDS)
        except (SignatureError, RemoteError) as error:
            if isinstance(error, SignatureError):
                key_fetch_failure_record(key_id=key_id)
            logger.info("inbox: signature with key %r refused: %s (after a refetch: %s)",
                        key_id, first_error, error)
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

"""Apply a claimed batch of inbox messages: content activities together, the rest alone.

The messages are walked in order. Runs of consecutive Create, Update and Delete
activities on content objects from actors already known here (no network needed)
form a *segment*, applied in one transaction:

- new objects (a Create of an object that no other message of the segment touches,
  with no ObjectVersion yet, from a followed actor) are stored together by
  `mirror_bulk.objects_create_many()`, in a savepoint; if it raises, they go one by
  one like the rest;
- every other message of the segment goes through the same handler as the one-by-one
  path (`HANDLERS`), each in its own savepoint and in arrival order, so versions,
  tombstones and ownership are decided exactly as before, and a message that fails
  rolls back only itself and is recorded as failed;
- the messages' new states are written in one statement, in the same transaction as
  what they did.

Anything else (Follow, Accept, Undo, Announce, an Update of an actor, an unknown actor,
a retry of a failed message) ends the current segment and runs alone through
`handle_received()` / `handle_failed()`, which may reach the network outside any open
transaction. Segments shorter than BULK_MIN also take that path: for one or two
messages the bulk machinery saves nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .inbox_activities import ACTOR_TYPES, CONTENT_TYPES, HANDLERS
from .inbox_messages import handle_failed, handle_received, message_failed, message_outcome
from .mirror import content_model, kind_of_object
from .wire import Activity, APObject, WireError, parse

logger = logging.getLogger(__name__)

BULK_MIN = 4
STATE_FIELDS = ["state", "state_changed_at", "last_error", "attempts", "next_attempt_at"]


def _new_object(entry, followers):
    from .mirror_bulk import NewObject

    obj = entry.activity.object
    if not isinstance(obj, APObject):  # a Delete names its object by id
        obj = APObject(id=entry.activity.object_id, type="Tombstone")
    return NewObject(key=entry.message.pk, obj=obj, remote_actor=entry.actor,
                     followers=followers.get(entry.actor.pk, []),
                     edit=entry.activity.type == "Update")


def _bulk_phase(name: str, apply, entries: list, followers, outcomes: dict) -> None:
    """Run one bulk step in a savepoint; on any error its messages stay for the
    one-by-one step (which records each one's own error)."""
    if len(entries) < BULK_MIN:
        return
    entries = sorted(entries, key=lambda entry: entry.position)
    try:
        with transaction.atomic():
            result = apply([_new_object(entry, followers) for entry in entries])
    except Exception:
        logger.exception("bulk %s of %d messages failed; one by one instead", name,
                         len(entries))
        # The savepoint is gone, and with it a mirror commune it may have created: the
        # actors must not keep pointing at it.
        for actor in {entry.actor for entry in entries}:
            actor.refresh_from_db()
        return
    done = result[0] if isinstance(result, tuple) else result
    outcomes.update(done)


@dataclass(eq=False)
class _Entry:
    message: object
    activity: Activity
    actor: object
    position: int = 0


def _is_content_activity(activity: Activity) -> bool:
    if activity.type in ("Create", "Update"):
        obj = activity.object
        if activity.type == "Update" and isinstance(obj, APObject) and obj.type in ACTOR_TYPES \
                and obj.id == activity.actor:
            return False  # the actor itself: refetched from its origin, alone
        return isinstance(obj, APObject) and obj.type in CONTENT_TYPES \
            and (obj.type not in ACTOR_TYPES or obj.attributed_to == activity.actor)
    if activity.type == "Delete":
        return bool(activity.object_id) and activity.object_id != activity.actor
    return False


def inbox_apply_batch(messages: list) -> None:
    """Apply claimed messages (ordered by arrival); each ends processed, ignored or failed."""
    from federation.models import InboxState, RemoteActor

    actors = {actor.url: actor for actor in RemoteActor.objects.filter(
        url__in={message.actor_url for message in messages})}
    segment: list[_Entry] = []
    for message in messages:
        activity = None
        if message.state == InboxState.RECEIVED:
            try:
                activity = parse(message.body)
            except (WireError, ValueError, TypeError, KeyError, AttributeError):
                activity = None  # handle_received() records the error
        actor = actors.get(activity.actor) if activity is not None else None
        if actor is not None and _is_content_activity(activity):
            segment.append(_Entry(message=message, activity=activity, actor=actor,
                                  position=len(segment)))
            continue
        _segment_apply(segment)
        segment = []
        if message.state == InboxState.RECEIVED:
            handle_received(message)
        else:
            handle_failed(message)
    _segment_apply(segment)


def _segment_apply(entries: list[_Entry]) -> None:
    if len(entries) < BULK_MIN:
        for entry in entries:
            handle_received(entry.message)
        return
    try:
        with transaction.atomic():
            _segment_apply_atomic(entries)
    except Exception:
        # Whatever broke the batch (a lost connection, a bug), nothing of it was kept:
        # apply its messages one by one, each recording its own outcome.
        logger.exception("inbox batch of %d messages failed; applying them one by one",
                         len(entries))
        for entry in entries:
            entry.message.refresh_from_db()
            handle_received(entry.message)


def _followers_by_actor(actors) -> dict[int, list]:
    from federation.models import Follow, FollowDirection, FollowState

    followers: dict[int, list] = {actor.pk: [] for actor in actors}
    for follow in Follow.objects.filter(
            remote_actor__in=list(actors), direction=FollowDirection.OUTBOUND,
            state=FollowState.ACCEPTED).select_related("commune").order_by("pk"):
        followers[follow.remote_actor_id].append(follow.commune)
    return followers


def _known_objects(ap_ids: list[str], kinds: set[str]) -> set[str]:
    """Ids that already have a version row or a page: not new, whatever the activity."""
    from federation.models import ObjectVersion

    known = set(ObjectVersion.objects.filter(ap_id__in=ap_ids).values_list("ap_id", flat=True))
    for kind in kinds:
        known.update(content_model(kind).objects.filter(ap_id__in=ap_ids)
                     .values_list("ap_id", flat=True))
    return known


def _segment_apply_atomic(entries: list[_Entry]) -> None:
    from federation.models import InboxMessage

    from .mirror_bulk import objects_create_many, objects_delete_many, objects_update_many

    followers = _followers_by_actor({entry.actor for entry in entries})
    by_object: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        by_object[entry.activity.object_id].append(entry)
    outcomes: dict[int, str | BaseException] = {}

    def remaining(object_id: str) -> list[_Entry]:
        return [entry for entry in by_object[object_id] if entry.message.pk not in outcomes]

    # 1. New objects: the first message about them is a Create from a followed actor.
    candidates = [
        entries_[0] for entries_ in by_object.values()
        if entries_[0].activity.type == "Create" and followers.get(entries_[0].actor.pk)
        and kind_of_object(entries_[0].activity.object, entries_[0].actor) is not None]
    known = _known_objects([entry.activity.object_id for entry in candidates],
                           {kind_of_object(entry.activity.object, entry.actor)
                            for entry in candidates})
    new = [entry for entry in candidates if entry.activity.object_id not in known]
    _bulk_phase("store", objects_create_many, new, followers, outcomes)
    # 2. Updates that come first among what is left of an object (Deletes may follow).
    updates = []
    for object_id in by_object:
        for entry in remaining(object_id):
            if entry.activity.type != "Update" or not followers.get(entry.actor.pk):
                break
            updates.append(entry)
    _bulk_phase("update", objects_update_many, updates, followers, outcomes)
    # 3. Objects with nothing but Deletes left.
    deletes = [entry for object_id in by_object if (rest := remaining(object_id))
               and all(entry.activity.type == "Delete" for entry in rest) for entry in rest]
    _bulk_phase("delete", objects_delete_many, deletes, followers, outcomes)
    # 4. Anything else, in arrival order, each through its one-by-one handler.
    for entry in entries:
        if entry.message.pk in outcomes:
            continue
        try:
            with transaction.atomic():
                outcomes[entry.message.pk] = HANDLERS[entry.activity.type](
                    entry.activity, entry.actor)
        except Exception as error:  # noqa: BLE001 - recorded as failed, retried later
            logger.exception("inbox message %s failed", entry.message.pk)
            outcomes[entry.message.pk] = error
    # The new states, one UPDATE per (state, reason): most of a batch is "processed".
    groups: dict[tuple, list[int]] = defaultdict(list)
    now = timezone.now()
    for entry in entries:
        message, outcome = entry.message, outcomes[entry.message.pk]
        if isinstance(outcome, BaseException):
            message_failed(message, outcome)
            message.save(update_fields=STATE_FIELDS)
            continue
        message_outcome(message, outcome)
        message.state_changed_at = now
        groups[(message.state, message.last_error)].append(message.pk)
    for (state, last_error), ids in groups.items():
        InboxMessage.objects.filter(pk__in=ids).update(
            state=state, state_changed_at=now, last_error=last_error)

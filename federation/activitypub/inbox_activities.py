"""What a received activity does here: one handler per activity type (`HANDLERS`).

A handler takes the parsed activity and its actor and returns the outcome:
"processed", or "ignored: <why>" (inbox_messages.py records it on the message).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .outbound import actor_url, base_url
from .remote import RemoteError, remote_actor_fetch
from .wire import Activity, APObject, WireError, host_of

CONTENT_TYPES = {"Event", "Article", "Note", "Page", "Organization", "LocalBusiness"}
ACTOR_TYPES = {"Organization", "Person", "Service", "Application", "Group"}


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
    _page, outcome = object_store(obj=obj, remote_actor=remote_actor,
                                  edit=activity.type == "Update")
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
    from .inbound_json import InboundJSONError, object_shape_check
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
        document = fetch_json(object_id)
        object_shape_check(document)
        obj = parse_object(document)
    except (RemoteError, WireError, InboundJSONError) as error:
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

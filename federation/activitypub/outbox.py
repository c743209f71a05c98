"""Outgoing activities: recorded from the publishing outbox, fanned out by a worker.

The publishing pipeline appends an "activitypub" outbox row per changed page in the
publishing transaction; `pages_federate` (its handler) turns the newest row of each
page into a Create, Update or Delete of the page's current state, so a page edited
twice before the worker ran goes out once, as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from cms.content.kinds import kind_named, kind_of_page
from cms.core.locales import default_locale

from .outbound import actor_url, commune_to_ap, object_url, page_to_ap
from .wire import AS_CONTEXT, AS_PUBLIC, host_of
from .worker import drain_enqueue_on_commit


def _new_activity_id() -> str:
    return f"{settings.FEDERATION_BASE_URL}/ap/activities/{uuid.uuid4()}"


def activity_record(*, commune, activity_type: str, object_: Any, object_id: str = "",
                    inboxes: list[str] | None = None, to: list[str] | None = None,
                    cc: list[str] | None = None):
    """Record an activity from a local commune (inside the caller's transaction)."""
    from federation.models import OutboxActivity

    activity_id = _new_activity_id()
    actor = actor_url(commune)
    activity = {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": activity_type,
        "actor": actor,
        "object": object_,
        "published": timezone.now().isoformat(),
        "to": to if to is not None else [AS_PUBLIC],
        "cc": cc if cc is not None else [f"{actor}/followers"],
    }
    row = OutboxActivity.objects.create(
        commune=commune, ap_id=activity_id, activity=activity, activity_type=activity_type,
        object_id=object_id, inboxes=inboxes or [],
    )
    drain_enqueue_on_commit()
    return row


def _has_followers(commune) -> bool:
    from federation.models import Follow, FollowDirection, FollowState

    return Follow.objects.filter(commune=commune, direction=FollowDirection.INBOUND,
                                 state=FollowState.ACCEPTED).exists()


def _federated_commune(page):
    """The local commune of a page that federates, or None."""
    if kind_of_page(page) is None or getattr(page, "origin_server", ""):
        return None
    if page.locale_id != default_locale().pk:
        return None
    commune = page.commune
    if commune is None or commune.origin_server:
        return None
    return commune


def page_federates(page) -> bool:
    """Whether a changed page concerns ActivityPub at all (no query): a page of a kind
    that federates, written here, in the source language."""
    return (kind_of_page(page) is not None and not getattr(page, "origin_server", "")
            and page.locale_id == default_locale().pk)


def pages_federate(rows) -> None:
    """The "activitypub" outbox handler: each page's current state goes out."""
    pages = Page.objects.filter(pk__in=[row.object_id for row in rows]).specific().in_bulk()
    for row in rows:
        page = pages.get(row.object_id)
        if page is not None and page.live and not row.payload.get("removed"):
            page_publish_record(page=page)
        else:
            page_remove_record(page_id=row.object_id, kind=row.payload.get("kind", ""))


@transaction.atomic
def page_publish_record(*, page) -> None:
    """Create (first time, or after a Delete) or Update of a local page."""
    from federation.models import LocalTombstone, OutboxActivity

    commune = _federated_commune(page)
    if commune is None:
        return
    ap_id = object_url(page.pk)
    LocalTombstone.objects.filter(ap_id=ap_id).delete()
    if not _has_followers(commune):
        return
    last = (OutboxActivity.objects.filter(object_id=ap_id).order_by("-pk")
            .values_list("activity_type", flat=True).first())
    activity_type = "Update" if last in ("Create", "Update") else "Create"
    document = page_to_ap(page)
    if activity_type == "Create":
        # Mastodon and GoToSocial mark an object with `updated` as edited.
        document.pop("updated", None)
    activity_record(commune=commune, activity_type=activity_type, object_=document,
                    object_id=ap_id)


@transaction.atomic
def page_remove_record(*, page_id: int, kind: str) -> None:
    """Delete (Tombstone) of a local page that is unpublished or deleted (the pipeline
    only asks for pages that `page_federates`)."""
    from federation.models import LocalTombstone, OutboxActivity

    declared = kind_named(kind)
    if declared is None:
        return
    former_type = declared.ap_type
    ap_id = object_url(page_id)
    now = timezone.now()
    sent = OutboxActivity.objects.filter(object_id=ap_id).order_by("-pk").first()
    LocalTombstone.objects.update_or_create(
        ap_id=ap_id, defaults={"former_type": former_type, "deleted_at": now})
    if sent is None or sent.activity_type == "Delete":
        return
    activity_record(commune=sent.commune, activity_type="Delete", object_id=ap_id, object_={
        "id": ap_id, "type": "Tombstone", "formerType": former_type,
        "deleted": now.isoformat()})


def actor_update_record(*, commune) -> None:
    """Update of the actor (new key, new name): peers refresh what they cached."""
    if _has_followers(commune):
        activity_record(commune=commune, activity_type="Update", object_=commune_to_ap(commune),
                        object_id=actor_url(commune))


def follow_record(*, commune, remote_actor) -> str:
    row = activity_record(commune=commune, activity_type="Follow", object_=remote_actor.url,
                          inboxes=[remote_actor.inbox], to=[remote_actor.url], cc=[])
    return row.ap_id


def unfollow_record(*, commune, remote_actor, follow_id: str) -> None:
    activity_record(commune=commune, activity_type="Undo", inboxes=[remote_actor.inbox],
                    to=[remote_actor.url], cc=[], object_={
                        "id": follow_id, "type": "Follow", "actor": actor_url(commune),
                        "object": remote_actor.url})


def reply_record(*, commune, activity_type: str, remote_actor, object_: Any) -> None:
    """Accept / Reject / Ignore addressed to one remote actor."""
    activity_record(commune=commune, activity_type=activity_type, object_=object_,
                    inboxes=[remote_actor.inbox], to=[remote_actor.url], cc=[])


def fan_out(*, activity) -> int:
    """Create one delivery per distinct inbox (shared inboxes collapse followers)."""
    from federation.models import Delivery, Follow, FollowDirection, FollowState

    inboxes = list(activity.inboxes)
    if not inboxes and activity.commune_id:
        follows = Follow.objects.filter(
            commune_id=activity.commune_id, direction=FollowDirection.INBOUND,
            state=FollowState.ACCEPTED).select_related("remote_actor")
        inboxes = [follow.remote_actor.delivery_inbox for follow in follows]
    deadline = timezone.now() + dt.timedelta(hours=settings.FEDERATION_DELIVERY_DEADLINE_HOURS)
    unique = sorted(set(inboxes))
    Delivery.objects.bulk_create(
        [Delivery(activity=activity, inbox=inbox, host=host_of(inbox), deadline=deadline)
         for inbox in unique],
        ignore_conflicts=True, batch_size=500,
    )
    activity.fanned_out = True
    activity.save(update_fields=["fanned_out"])
    return len(unique)

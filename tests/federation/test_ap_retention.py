"""Retention of ActivityPub state (federation/activitypub/retention.py): what is past its
time goes, what still decides something stays."""

import datetime as dt

import pytest
from django.utils import timezone

from federation.activitypub.retention import federation_sweep
from federation.models import Delivery, InboxMessage, OutboxActivity

pytestmark = pytest.mark.django_db


def activity(number: int, *, object_id: str = "", days_ago: float = 40) -> OutboxActivity:
    return OutboxActivity.objects.create(
        ap_id=f"https://clocher.test/ap/activities/{number}", activity={"type": "Update"},
        activity_type="Update", object_id=object_id, fanned_out=True,
        created_at=timezone.now() - dt.timedelta(days=days_ago))


def test_old_state_goes_and_what_still_decides_stays():
    now = timezone.now()
    old, recent = now - dt.timedelta(days=40), now - dt.timedelta(days=1)
    for number, (state, when) in enumerate([("processed", old), ("ignored", old),
                                            ("failed", old), ("processed", recent)]):
        InboxMessage.objects.create(activity_id=f"https://peer.test/a/{number}",
                                    actor_url="https://peer.test/u", body={}, state=state,
                                    state_changed_at=when)
    superseded = activity(1, object_id="https://clocher.test/ap/objects/7")
    newest = activity(2, object_id="https://clocher.test/ap/objects/7")
    follow = activity(3)  # an Accept or a Follow: no object to decide about
    undelivered = activity(4)
    Delivery.objects.create(activity=undelivered, inbox="https://peer.test/inbox",
                            host="peer.test", deadline=now, state="queued")
    delivered = activity(5, days_ago=1)
    Delivery.objects.create(activity=delivered, inbox="https://peer.test/inbox",
                            host="peer.test", deadline=now, state="delivered",
                            state_changed_at=now - dt.timedelta(days=8))

    counts = federation_sweep()

    assert sorted(InboxMessage.objects.values_list("state", flat=True)) == [
        "failed", "processed"]
    remaining = set(OutboxActivity.objects.values_list("pk", flat=True))
    assert superseded.pk not in remaining and follow.pk not in remaining
    assert {newest.pk, undelivered.pk, delivered.pk} <= remaining
    assert not Delivery.objects.filter(state="delivered").exists()
    assert Delivery.objects.filter(activity=undelivered).exists()
    assert counts["inbox"] == 2 and counts["deliveries"] == 1 and counts["activities"] == 2

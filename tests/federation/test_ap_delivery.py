"""Delivery state machine: retries, Retry-After, circuit breaker, dead letters, claims."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from federation.activitypub import delivery as delivery_module
from federation.activitypub import worker
from federation.activitypub.keys import actor_key_rotate
from federation.activitypub.outbox import activity_record
from federation.models import (
    ActorKey,
    Delivery,
    DeliveryState,
    Follow,
    FollowDirection,
    FollowState,
    HostHealth,
    InvalidTransitionError,
    RemoteActor,
)
from tests.federation.e2e.peer import verify_received


def _send_note(commune):
    activity_record(commune=commune, activity_type="Create",
                    object_={"id": "http://testserver/ap/objects/999", "type": "Note"})
    worker.fan_out_pending()
    return Delivery.objects.get()


def _make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_deadline_is_at_least_48_hours(peer, ap_commune, follower):
    delivery = _send_note(ap_commune)
    assert delivery.deadline - timezone.now() >= dt.timedelta(hours=48)


def test_server_error_is_retried_with_backoff_and_a_fresh_signature(
        peer, ap_commune, follower, monkeypatch):
    from federation.activitypub import signatures

    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    peer.inbox_status = 503
    delivery = _send_note(ap_commune)
    delivery_module.deliveries_run()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.QUEUED and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    peer.inbox_status = 202
    _make_due(delivery)
    # The retry happens later: its Date, hence its signature, must be new.
    monkeypatch.setattr(signatures, "http_date", lambda moment=None: signatures.format_datetime(
        later, usegmt=True))
    delivery_module.deliveries_run()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    first, second = peer.received
    assert first.headers["date"] != second.headers["date"]
    assert first.headers["signature"] != second.headers["signature"]
    public = ActorKey.objects.get(commune=ap_commune).public_key_pem
    assert verify_received(second, public_key_pem=public)


def test_retry_after_is_honoured(peer, ap_commune, follower):
    peer.inbox_status = 429
    peer.inbox_headers = {"Retry-After": "3600"}
    delivery = _send_note(ap_commune)
    delivery_module.deliveries_run()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= timezone.now() + dt.timedelta(minutes=59)


def test_backoff_grows_with_jitter(settings):
    settings.FEDERATION_RETRY_BASE_SECONDS = 30
    settings.FEDERATION_RETRY_MAX_SECONDS = 21600
    delays = [delivery_module.backoff_seconds(n) for n in (1, 5, 10)]
    assert 15 <= delays[0] <= 30
    assert 240 <= delays[1] <= 480
    assert delays[2] <= 21600
    assert len({delivery_module.backoff_seconds(5) for _ in range(20)}) > 1


def test_past_the_deadline_it_becomes_a_dead_letter_and_can_be_retried(
        client, peer, ap_commune, follower):
    peer.inbox_status = 500
    delivery = _send_note(ap_commune)
    Delivery.objects.filter(pk=delivery.pk).update(deadline=timezone.now())
    delivery_module.deliveries_run()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "x")
    client.force_login(admin)
    page = client.get("/admin/federation/dead-letters/")
    assert page.status_code == 200 and follower.inbox in page.content.decode()
    response = client.post(f"/admin/federation/dead-letters/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.QUEUED
    peer.inbox_status = 202
    delivery_module.deliveries_run()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


def test_dead_letters_are_for_superusers_only(client, ap_commune):
    user = get_user_model().objects.create_user("editor", password="x")
    client.force_login(user)
    assert client.get("/admin/federation/dead-letters/").status_code in (302, 403)


def test_circuit_breaker_skips_a_failing_host(peer, ap_commune, follower, settings):
    settings.FEDERATION_CIRCUIT_FAILURES = 2
    peer.inbox_status = 500
    delivery = _send_note(ap_commune)
    for _ in range(2):
        _make_due(delivery)
        delivery_module.deliveries_run()
    assert HostHealth.objects.get(host=peer.netloc).open_until > timezone.now()
    sent = len(peer.received)
    _make_due(delivery)
    delivery_module.deliveries_run()
    assert len(peer.received) == sent  # not even tried while the circuit is open
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_claimed_delivery_is_not_claimed_again(peer, ap_commune, follower):
    _send_note(ap_commune)
    first = delivery_module.deliveries_claim()
    second = delivery_module.deliveries_claim()
    assert len(first) == 1 and second == []


def test_one_delivery_per_inbox(peer, ap_commune, follower):
    # A second follower on the same server shares its inbox: one delivery.
    other = RemoteActor.objects.create(url=f"{peer.base}/users/bob", domain=peer.netloc,
                                       inbox=f"{peer.base}/users/bob/inbox",
                                       shared_inbox=f"{peer.base}/inbox")
    RemoteActor.objects.filter(pk=follower.pk).update(shared_inbox=f"{peer.base}/inbox")
    Follow.objects.create(commune=ap_commune, remote_actor=other,
                          direction=FollowDirection.INBOUND, state=FollowState.ACCEPTED)
    activity_record(commune=ap_commune, activity_type="Create", object_={"id": "x"})
    assert worker.fan_out_pending() == 1
    assert Delivery.objects.get().inbox == f"{peer.base}/inbox"


def test_invalid_transitions_are_refused(peer, ap_commune, follower):
    delivery = _send_note(ap_commune)
    delivery.transition(DeliveryState.DELIVERED)
    with pytest.raises(InvalidTransitionError):
        delivery.transition(DeliveryState.QUEUED)


def test_key_rotation_sends_an_update_of_the_actor(client, peer, ap_commune, follower):
    old = client.get("/ap/communes/donges").json()["publicKey"]["publicKeyPem"]
    actor_key_rotate(commune=ap_commune)
    worker.drain()
    updates = [r for r in peer.received if r.json["type"] == "Update"]
    assert len(updates) == 1
    new = updates[0].json["object"]["publicKey"]["publicKeyPem"]
    assert new != old
    assert client.get("/ap/communes/donges").json()["publicKey"]["publicKeyPem"] == new
    # Signed with the new key.
    assert verify_received(updates[0], public_key_pem=new)

"""Follow / Accept / Undo with a live fake peer; Create / Update / Delete going out."""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from cms.publishing.models import OutboxMessage
from federation.activitypub import worker
from federation.models import Delivery, Follow, FollowState, OutboxActivity
from tests.factories import EventPageFactory, section
from tests.federation.e2e.fixtures import BASE, post_signed
from tests.federation.e2e.peer import verify_received

INBOX = "/ap/communes/donges/inbox"


def _follow(client, actor, commune_url=f"{BASE}/ap/communes/donges"):
    activity = {"@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{actor.url}#follows/1", "type": "Follow", "actor": actor.url,
                "object": commune_url}
    return post_signed(client, actor=actor, path=INBOX, activity=activity)


def _our_public_key(client) -> str:
    return client.get("/ap/communes/donges").json()["publicKey"]["publicKeyPem"]


def test_follow_is_accepted_with_a_signed_accept(client, peer, ap_commune):
    alice = peer.add_actor("alice")
    response = _follow(client, alice)
    assert response.status_code == 202, response.content
    worker.drain()
    follow = Follow.objects.get(commune=ap_commune, remote_actor__url=alice.url)
    assert follow.state == FollowState.ACCEPTED
    accepts = [r for r in peer.received if r.json["type"] == "Accept"]
    assert len(accepts) == 1
    assert accepts[0].path == "/users/alice/inbox"
    assert accepts[0].json["object"]["id"] == f"{alice.url}#follows/1"
    assert verify_received(accepts[0], public_key_pem=_our_public_key(client))


def test_undo_follow_removes_the_follower(client, peer, ap_commune):
    alice = peer.add_actor("alice")
    _follow(client, alice)
    worker.drain()
    undo = {"id": f"{alice.url}#undo/1", "type": "Undo", "actor": alice.url,
            "object": {"id": f"{alice.url}#follows/1", "type": "Follow", "actor": alice.url,
                       "object": f"{BASE}/ap/communes/donges"}}
    assert post_signed(client, actor=alice, path=INBOX, activity=undo).status_code == 202
    worker.drain()
    assert not Follow.objects.filter(remote_actor__url=alice.url).exists()


def _publish_event(commune, **values):
    agenda = section(commune, __import__("cms.content.models", fromlist=["x"]).EventIndexPage)
    page = EventPageFactory.build(**values)
    page.live = False
    agenda.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_create_update_delete_reach_followers(client, peer, ap_commune):
    alice = peer.add_actor("alice")
    _follow(client, alice)
    worker.drain()
    # A Saturday about a month ahead, 14:00 UTC (15h00 or 16h00 in Paris); never the 1st,
    # which the summary writes "1er" where Django's "j" writes "1".
    day = timezone.localdate() + dt.timedelta(days=28)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    if day.day == 1:
        day += dt.timedelta(days=7)
    start = dt.datetime.combine(day, dt.time(14), tzinfo=dt.UTC)
    page = _publish_event(ap_commune, title="Marché de Noël", start=start,
                          end=start + dt.timedelta(hours=4), venue_name="Place de la mairie",
                          address="1 place de la Mairie", summary="Artisans et vin chaud.",
                          latitude=47.318, longitude=-2.075)
    worker.drain()
    create = [r for r in peer.received if r.json["type"] == "Create"]
    assert len(create) == 1
    # Deliveries go to the follower's shared inbox.
    assert create[0].path == "/inbox"
    assert verify_received(create[0], public_key_pem=_our_public_key(client))
    event = create[0].json["object"]
    assert event["type"] == "Event"
    assert event["name"] == "Marché de Noël"
    assert dt.datetime.fromisoformat(event["startTime"]) == start
    assert event["timezone"] == "Europe/Paris"
    assert event["location"]["type"] == "Place"
    assert event["location"]["latitude"] == 47.318
    # What Mastodon shows of an Event: its content, title then date, time, place (no
    # summary: Mastodon-compatible clients show one as a content warning).
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    with translation.override("fr"):
        when = date_format(start.astimezone(paris), r"l j F Y, G\hi") + date_format(
            (start + dt.timedelta(hours=4)).astimezone(paris), r" – G\hi")
    assert "summary" not in event and "updated" not in event
    assert event["content"].startswith(
        f"<p><strong>Marché de Noël</strong></p><p>{when[0].upper()}{when[1:]} · "
        "Place de la mairie, 1 place de la Mairie, Donges")
    assert event["clocherSummary"].startswith(f"{when[0].upper()}{when[1:]}")
    assert client.get(f"/ap/objects/{page.pk}").json()["id"] == event["id"]

    page.title = "Marché de Noël (prolongé)"
    page.save_revision().publish()
    worker.drain()
    update = [r for r in peer.received if r.json["type"] == "Update"]
    assert len(update) == 1 and update[0].json["object"]["name"] == "Marché de Noël (prolongé)"

    page.delete()
    worker.drain()
    deletes = [r for r in peer.received if r.json["type"] == "Delete"]
    assert len(deletes) == 1
    assert deletes[0].json["object"]["type"] == "Tombstone"
    gone = client.get(f"/ap/objects/{page.pk}")
    assert gone.status_code == 410
    assert gone.json()["type"] == "Tombstone"


def test_rolled_back_publish_records_nothing(client, peer, ap_commune):
    alice = peer.add_actor("alice")
    _follow(client, alice)
    worker.drain()
    before = OutboxActivity.objects.count()
    federating = OutboxMessage.objects.filter(category="activitypub")
    try:
        with transaction.atomic():
            page = _publish_event(ap_commune, title="Jamais publié")
            # The publish asked for its activity in its own transaction...
            assert federating.filter(object_id=page.pk).count() == 1
            raise RuntimeError("rollback")
    except RuntimeError:
        pass
    # ...so the rollback took the request with it: nothing goes out.
    assert not federating.filter(object_id=page.pk).exists()
    worker.drain()
    assert OutboxActivity.objects.count() == before
    assert not [r for r in peer.received if r.json.get("type") == "Create"]


def test_join_gets_ignore(client, peer, ap_commune):
    alice = peer.add_actor("alice")
    page = _publish_event(ap_commune, title="Loto")
    join = {"id": f"{alice.url}#join/1", "type": "Join", "actor": alice.url,
            "object": f"{BASE}/ap/objects/{page.pk}"}
    assert post_signed(client, actor=alice, path=INBOX, activity=join).status_code == 202
    worker.drain()
    ignores = [r for r in peer.received if r.json["type"] == "Ignore"]
    assert len(ignores) == 1 and ignores[0].json["object"]["id"] == join["id"]


def test_gone_follower_is_removed_on_410(client, peer, ap_commune):
    alice = peer.add_actor("alice")
    _follow(client, alice)
    worker.drain()
    peer.inbox_status = 410
    _publish_event(ap_commune, title="Vide-grenier")
    worker.drain()
    assert not Follow.objects.filter(remote_actor__url=alice.url).exists()
    assert Delivery.objects.filter(activity__activity_type="Create").get().state == "cancelled"

"""Real Mastodon and Mobilizon payloads (tests/data/activitypub/) through the real inbox.

The original hosts are swapped for the loopback fake peer (they cannot be reached
here), the documents are otherwise unchanged, and they are signed for real.
"""

import datetime as dt
import json
from pathlib import Path

from cms.content.models import EventPage
from federation.activitypub import worker
from federation.activitypub.wire import parse_actor
from federation.models import Follow, FollowDirection, FollowState, RemoteActor
from tests.factories import EventPageFactory, section
from tests.federation.e2e.fixtures import BASE, post_signed

DATA = Path(__file__).resolve().parents[1] / "data" / "activitypub"


def load(name: str, **replacements: str) -> dict:
    text = (DATA / name).read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    return json.loads(text)


def test_mastodon_actor_is_read():
    actor = parse_actor(load("mastodon-actor.json"))
    assert actor.inbox == "https://framapiaf.org/users/peertube/inbox"
    assert actor.shared_inbox == "https://framapiaf.org/inbox"
    assert actor.public_key_id == "https://framapiaf.org/users/peertube#main-key"
    assert actor.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "<span class" not in actor.summary  # sanitised


def test_mobilizon_event_create_is_stored(client, peer, ap_commune):
    alicia = peer.add_actor("alicia", path="/@Alicia", actor_type="Person")
    remote = RemoteActor.objects.create(url=alicia.url, domain=peer.netloc,
                                        inbox=f"{alicia.url}/inbox", name="Alicia",
                                        public_key_id=alicia.key_id,
                                        public_key_pem=alicia.public_pem)
    Follow.objects.create(commune=ap_commune, remote_actor=remote,
                          direction=FollowDirection.OUTBOUND, state=FollowState.ACCEPTED)
    activity = load("mobilizon-post-activity.json",
                    **{"https://test.mobilizon.org": peer.base})
    assert post_signed(client, actor=alicia, path="/ap/inbox",
                       activity=activity).status_code == 202
    worker.drain()
    page = EventPage.objects.get(ap_id=f"{peer.base}/events/39026210-0c69-4238-b3cc-986f33f98ed0")
    assert page.title == "My first event"
    assert page.start == dt.datetime.fromisoformat(activity["object"]["startTime"])
    assert page.venue_name == "Locaux de Framasoft"
    assert page.address == "10 Rue Jangot, 69007, Lyon"
    paragraph = page.body[0].value.source
    assert "class=" not in paragraph  # Mobilizon's h-card classes are dropped by nh3
    assert 'href="https://framapiaf.org/users/tcit"' in paragraph


def test_mastodon_follow_then_undo(client, peer, ap_commune):
    tcit = peer.add_actor("tcit")
    ours = f"{BASE}/ap/communes/donges"
    replacements = {"https://social.tcit.fr": peer.base,
                    "http://localtesting.pleroma.lol/users/lain": ours}
    follow = load("mastodon-follow-activity.json", **replacements)
    assert post_signed(client, actor=tcit, path="/ap/communes/donges/inbox",
                       activity=follow).status_code == 202
    worker.drain()
    assert Follow.objects.get(remote_actor__url=tcit.url).state == FollowState.ACCEPTED
    accept = next(r.json for r in peer.received if r.json["type"] == "Accept")
    assert accept["object"]["id"] == f"{peer.base}/users/tcit#follows/2"
    undo = load("mastodon-unfollow-activity.json", **replacements)
    assert post_signed(client, actor=tcit, path="/ap/communes/donges/inbox",
                       activity=undo).status_code == 202
    worker.drain()
    assert not Follow.objects.filter(remote_actor__url=tcit.url).exists()


def test_mobilizon_join_gets_ignore(client, peer, ap_commune):
    from cms.content.models import EventIndexPage

    admin = peer.add_actor("admin", path="/@admin")
    event = EventPageFactory.build(title="Loto")
    section(ap_commune, EventIndexPage).add_child(instance=event)
    join = load("mobilizon-join-activity.json", **{
        "http://mobilizon2.test": peer.base,
        "http://mobilizon.test/events/some-uuid": f"{BASE}/ap/objects/{event.pk}"})
    assert post_signed(client, actor=admin, path="/ap/inbox", activity=join).status_code == 202
    worker.drain()
    ignore = next(r.json for r in peer.received if r.json["type"] == "Ignore")
    assert ignore["object"]["id"] == f"{peer.base}/@admin/join/event/1"

"""The admin screen of a commune's subscriptions to other servers, through real requests:
following a commune of a live (fake) peer by its handle, unfollowing, key rotation,
per-commune permissions, and bad input answered with form errors."""

import pytest
from django.urls import reverse

from federation.activitypub import worker
from federation.models import (
    ActorKey,
    BlockedDomain,
    Follow,
    FollowDirection,
    FollowState,
    OutboxActivity,
    RemoteActor,
)
from tests.factories import make_commune
from tests.federation.e2e.peer import verify_received

from .conftest import communicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def donges_user(ap_commune):
    return communicant(ap_commune, "com-donges")


@pytest.fixture
def montoir(peer):
    """A commune on the peer, discoverable by WebFinger as montoir@<peer>."""
    actor = peer.add_actor("montoir", actor_type="Organization", path="/ap/communes/montoir")
    peer.serve_json("/.well-known/webfinger", {
        "subject": f"acct:montoir@{peer.netloc}",
        "links": [{"rel": "self", "type": "application/activity+json", "href": actor.url}]})
    return actor


def _url(name, commune):
    return reverse(name, args=[commune.pk])


def test_page_shows_the_commune_handle_and_an_empty_state(client, ap_commune, donges_user):
    client.force_login(donges_user)
    response = client.get(_url("federation_ap_follows", ap_commune))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<code data-handle>donges@testserver</code>" in html
    assert "La commune ne suit aucune commune ni aucun compte d'un autre serveur." in html


def test_following_by_handle_records_a_signed_follow(client, ap_commune, donges_user, peer,
                                                     montoir):
    client.force_login(donges_user)
    response = client.post(_url("federation_ap_follows", ap_commune),
                           {"handle": f"montoir@{peer.netloc}"})
    assert response.status_code == 302
    follow = Follow.objects.get(commune=ap_commune, direction=FollowDirection.OUTBOUND)
    assert follow.remote_actor.url == montoir.url
    assert follow.state == FollowState.PENDING
    worker.drain()
    follows = [r for r in peer.received if r.json["type"] == "Follow"]
    assert [r.path for r in follows] == ["/ap/communes/montoir/inbox"]
    assert follows[0].json["object"] == montoir.url
    our_key = ActorKey.objects.get(commune=ap_commune).public_key_pem
    assert verify_received(follows[0], public_key_pem=our_key)
    listing = client.get(_url("federation_ap_follows", ap_commune)).content.decode()
    assert f'data-following="{montoir.url}"' in listing
    assert "en attente" in listing


def test_following_a_person_speaks_of_an_account(client, ap_commune, donges_user, peer):
    """A person on a server that answers signed GETs only (GoToSocial, Mastodon's
    authorized fetch): the follow goes through, and the admin says "account"."""
    alice = peer.add_actor("alice", key_suffix="/main-key")
    peer.signed_fetch_required = True
    client.force_login(donges_user)
    response = client.post(_url("federation_ap_follows", ap_commune), {"handle": alice.url},
                           follow=True)
    html = response.content.decode()
    assert "Abonnement demandé pour le compte Mairie de Test" in html
    assert Follow.objects.get(remote_actor__url=alice.url).state == FollowState.PENDING


def test_unfollow_sends_undo_and_hides_the_subscription(client, ap_commune, donges_user, peer,
                                                        montoir):
    client.force_login(donges_user)
    client.post(_url("federation_ap_follows", ap_commune), {"handle": montoir.url})
    follow = Follow.objects.get(commune=ap_commune)
    response = client.post(_url("federation_ap_unfollow", ap_commune), {"follow": follow.pk})
    assert response.status_code == 302
    follow.refresh_from_db()
    assert follow.state == FollowState.UNDONE
    undo = OutboxActivity.objects.get(activity_type="Undo")
    assert undo.activity["object"]["id"] == follow.ap_id
    listing = client.get(_url("federation_ap_follows", ap_commune)).content.decode()
    assert f'data-following="{montoir.url}"' not in listing


@pytest.mark.parametrize(("handle", "message"), [
    ("", "Champ requis."),
    ("pas une adresse", "Saisissez une adresse"),
    ("javascript:alert(1)", "Saisissez une adresse"),
    ("donges@testserver", "Cette commune est sur ce serveur"),
    ("x" * 400, "300"),
])
def test_bad_handles_are_form_errors(client, ap_commune, donges_user, handle, message):
    client.force_login(donges_user)
    response = client.post(_url("federation_ap_follows", ap_commune), {"handle": handle})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Follow.objects.exists()


def test_unreachable_blocked_and_private_servers_are_form_errors(client, ap_commune,
                                                                  donges_user, peer, montoir):
    client.force_login(donges_user)
    url = _url("federation_ap_follows", ap_commune)
    # The peer answers 404 for an unknown actor.
    response = client.post(url, {"handle": f"{peer.base}/users/nobody"})
    assert response.status_code == 400
    assert "Impossible de joindre ce compte" in response.content.decode()
    # A private address that is not allow-listed: the SSRF-safe client refuses it.
    response = client.post(url, {"handle": "montoir@10.0.0.1"})
    assert response.status_code == 400
    assert "Impossible de joindre ce compte" in response.content.decode()
    # A blocked domain.
    BlockedDomain.objects.create(domain="127.0.0.1", reason="test")
    response = client.post(url, {"handle": montoir.url})
    assert response.status_code == 400
    assert "domain blocked" in response.content.decode()
    assert not Follow.objects.exists()
    assert not OutboxActivity.objects.exists()


def test_key_rotation_changes_the_published_key_and_tells_followers(client, ap_commune,
                                                                     donges_user, peer):
    alice = peer.add_actor("alice")
    remote = RemoteActor.objects.create(url=alice.url, domain="127.0.0.1",
                                        inbox=f"{alice.url}/inbox")
    Follow.objects.create(commune=ap_commune, remote_actor=remote,
                          direction=FollowDirection.INBOUND, state=FollowState.ACCEPTED)
    before = client.get("/ap/communes/donges").json()["publicKey"]["publicKeyPem"]
    client.force_login(donges_user)
    response = client.post(_url("federation_ap_key_rotate", ap_commune))
    assert response.status_code == 302
    key = ActorKey.objects.get(commune=ap_commune)
    assert key.generation == 2
    after = client.get("/ap/communes/donges").json()["publicKey"]["publicKeyPem"]
    assert after != before
    assert after == key.public_key_pem
    update = OutboxActivity.objects.get(activity_type="Update")
    assert update.activity["object"]["publicKey"]["publicKeyPem"] == after
    listing = client.get(_url("federation_ap_follows", ap_commune)).content.decode()
    assert "Clé n° 2" in listing
    assert f'data-follower="{alice.url}"' in listing


def test_another_communes_communicant_is_refused(client, ap_commune, peer, montoir):
    other = make_commune(insee_code="44103", name="Montoir-de-Bretagne")
    outsider = communicant(other, "com-montoir")
    client.force_login(outsider)
    for name in ("federation_ap_follows", "federation_ap_unfollow", "federation_ap_key_rotate"):
        response = client.post(_url(name, ap_commune), {"handle": montoir.url, "follow": 1})
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not Follow.objects.exists()
    assert not ActorKey.objects.filter(commune=ap_commune, generation__gt=1).exists()


def test_unfollowing_another_communes_subscription_is_404(client, ap_commune, donges_user,
                                                          peer, montoir):
    other = make_commune(insee_code="44103", name="Montoir-de-Bretagne")
    remote = RemoteActor.objects.create(url=montoir.url, domain="127.0.0.1",
                                        inbox=f"{montoir.url}/inbox")
    theirs = Follow.objects.create(commune=other, remote_actor=remote,
                                   direction=FollowDirection.OUTBOUND)
    client.force_login(donges_user)
    for value in (theirs.pk, "abc", 2**70):
        response = client.post(_url("federation_ap_unfollow", ap_commune), {"follow": value})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == FollowState.PENDING


def test_anonymous_is_sent_to_login(client, ap_commune):
    response = client.get(_url("federation_ap_follows", ap_commune))
    assert response.status_code == 302
    assert "/login/" in response["Location"]

"""What a post from a person becomes (docs/federation.md, "What comes from people"):
never a commune's alert, always held for the following commune's review."""

import json
from pathlib import Path

import pytest

from cms.content.models import AlertPage, NewsPage
from federation.activitypub import worker
from federation.models import (
    Follow,
    FollowDirection,
    FollowState,
    InboxMessage,
    RemoteActor,
    SharedItem,
    ShareState,
)
from tests.federation.conftest import sharing_policy
from tests.federation.e2e.fixtures import post_signed

DATA = Path(__file__).resolve().parents[1] / "data" / "gotosocial"


def recorded_note(peer, actor_path: str) -> dict:
    text = (DATA / "create-note.json").read_text()
    return json.loads(text.replace("http://localhost:8350/users/alice", f"{peer.base}{actor_path}")
                      .replace("http://localhost:8350", peer.base))


def followed(peer, commune, name: str, actor_type: str):
    account = peer.add_actor(name, actor_type=actor_type, key_suffix="/main-key")
    peer.serve_json(f"/users/{name}/main-key", account.document(actor_type=actor_type))
    remote = RemoteActor.objects.create(
        url=account.url, domain=peer.netloc, type=actor_type, inbox=f"{account.url}/inbox",
        name=name, preferred_username=name, public_key_id=account.key_id,
        public_key_pem=account.public_pem)
    Follow.objects.create(commune=commune, remote_actor=remote,
                          direction=FollowDirection.OUTBOUND, state=FollowState.ACCEPTED)
    return account


@pytest.mark.parametrize("bulk", [True, False])
def test_a_persons_post_is_news_held_for_review(client, settings, peer, ap_commune, bulk):
    settings.FEDERATION_INBOX_BULK = bulk
    sharing_policy(ap_commune, default_acceptance="accept")  # would accept a commune's
    alice = followed(peer, ap_commune, "alice", "Person")
    response = post_signed(client, actor=alice, path="/ap/inbox",
                           activity=recorded_note(peer, "/users/alice"))
    assert response.status_code == 202, response.content
    worker.drain()
    assert InboxMessage.objects.get().state == "processed", InboxMessage.objects.get().last_error
    assert not AlertPage.objects.filter(origin_server=peer.netloc).exists()
    page = NewsPage.objects.get(origin_server=peer.netloc)
    assert page.title.startswith("Bonjour Donges ! Le marché de Noël est-il maintenu")
    assert page.title != "Sans titre"
    share = SharedItem.objects.get(page=page, receiver=ap_commune)
    assert share.state == ShareState.PENDING  # not public before Donges accepts it


def test_a_communes_note_is_still_an_alert(client, peer, ap_commune):
    sharing_policy(ap_commune, default_acceptance="accept")
    mairie = followed(peer, ap_commune, "mairie", "Organization")
    response = post_signed(client, actor=mairie, path="/ap/inbox",
                           activity=recorded_note(peer, "/users/mairie"))
    assert response.status_code == 202
    worker.drain()
    page = AlertPage.objects.get(origin_server=peer.netloc)
    assert SharedItem.objects.get(page=page).state == ShareState.ACCEPTED


def test_a_post_from_someone_nobody_follows_is_not_stored(client, peer, ap_commune):
    bob = peer.add_actor("bob", key_suffix="/main-key")
    peer.serve_json("/users/bob/main-key", bob.document())
    response = post_signed(client, actor=bob, path="/ap/inbox",
                           activity=recorded_note(peer, "/users/bob"))
    assert response.status_code == 202
    worker.drain()
    assert not NewsPage.objects.filter(origin_server=peer.netloc).exists()
    assert not AlertPage.objects.filter(origin_server=peer.netloc).exists()

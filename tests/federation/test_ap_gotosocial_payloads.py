"""GoToSocial, from its recorded payloads (tests/data/gotosocial/, provenance in its
README): the shapes it publishes its keys in, its hs2019 signatures, its Follow and
Create, read by the real code. No GoToSocial server is needed (the live test is
scripts/interop_gotosocial.sh).
"""

import base64
import json
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import time_machine

from federation.activitypub import worker
from federation.activitypub.outbound import instance_actor_url
from federation.activitypub.remote import RemoteError, remote_actor_for_key
from federation.activitypub.signatures import (
    SignatureError,
    SignedRequest,
    signature_key_id,
    verify_request,
)
from federation.activitypub.wire import WireError, parse, parse_actor, parse_key
from federation.models import (
    Follow,
    FollowDirection,
    FollowState,
    InstanceKey,
    OutboxActivity,
    RemoteActor,
)
from tests.federation.e2e.fixtures import post_signed

DATA = Path(__file__).resolve().parents[1] / "data" / "gotosocial"
GTS = "http://localhost:8350"


def load(name: str, **replacements: str) -> dict:
    text = (DATA / name).read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    return json.loads(text)


def recorded_request(name: str) -> tuple[str, str, dict[str, str], bytes]:
    """Method, path, lower-case headers and body of a recorded HTTP request."""
    head, _, body = (DATA / name).read_bytes().partition(b"\n\n")
    request_line, *header_lines = head.decode().splitlines()
    method, path, _version = request_line.split(" ")
    headers = {}
    for line in header_lines:
        name_, _, value = line.partition(":")
        headers[name_.strip().lower()] = value.strip()
    return method, path, headers, body.rstrip(b"\n")


# --- the documents, read by the wire format ---------------------------------------------


def test_the_minimal_key_document_names_its_key_and_owner():
    key = parse_key(load("main-key.json"))
    assert key.id == f"{GTS}/users/alice/main-key"
    assert key.owner == f"{GTS}/users/alice"
    assert key.pem.startswith("-----BEGIN PUBLIC KEY-----")
    # It is no actor: no inbox. The full actor is fetched from its own URL instead.
    with pytest.raises(WireError):
        parse_actor(load("main-key.json"))


def test_the_full_actor_is_read_with_its_key():
    actor = parse_actor(load("actor.json"))
    assert (actor.id, actor.type, actor.inbox) == (
        f"{GTS}/users/alice", "Person", f"{GTS}/users/alice/inbox")
    assert actor.public_key_id == f"{GTS}/users/alice/main-key"
    assert actor.public_key_pem == load("main-key.json")["publicKey"]["publicKeyPem"]


def test_key_documents_in_other_shapes():
    pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    key = parse_key({"id": "https://a.example/key/1", "type": "CryptographicKey",
                     "owner": "https://a.example/u/bob", "publicKeyPem": pem})
    assert (key.id, key.owner) == ("https://a.example/key/1", "https://a.example/u/bob")
    listed = parse_key({"id": "https://a.example/u/bob", "type": "Person", "publicKey": [
        {"id": "https://a.example/u/bob#main-key", "publicKeyPem": pem}]})
    assert listed.owner == "https://a.example/u/bob"
    for bad in ({"type": "Key", "id": "https://a.example/k"}, {"publicKey": "x"}, [],
                {"type": "Key", "id": "javascript:x", "owner": "https://a.example/u",
                 "publicKeyPem": pem}):
        with pytest.raises(WireError):
            parse_key(bad)


def test_the_recorded_create_of_a_note_is_read():
    activity = parse(load("create-note.json"))
    assert activity.type == "Create" and activity.actor == f"{GTS}/users/alice"
    note = activity.object
    assert note.type == "Note" and note.attributed_to == activity.actor
    assert note.summary == "" and "march\u00e9 de No\u00ebl" in note.content
    assert "target=" not in note.content and "class=" not in note.content  # sanitised


# --- its signatures ---------------------------------------------------------------------


def test_the_recorded_hs2019_signature_verifies_with_the_recorded_key():
    method, path, headers, body = recorded_request("follow-request.http")
    request = SignedRequest(method=method, path=path, headers=headers, body=body)
    key = parse_key(load("main-key.json"))
    assert signature_key_id(request) == key.id  # no "#": the key has its own URL
    sent_at = parsedate_to_datetime(headers["date"])
    verify_request(request, public_key_pem=key.pem, now=sent_at)
    tampered = SignedRequest(method=method, path=path, headers=headers,
                             body=body.replace(b"donges", b"montoi"))
    with pytest.raises(SignatureError):
        verify_request(tampered, public_key_pem=key.pem, now=sent_at)
    elsewhere = SignedRequest(method=method, path="/ap/inbox", headers=headers, body=body)
    with pytest.raises(SignatureError):
        verify_request(elsewhere, public_key_pem=key.pem, now=sent_at)


def test_the_recorded_follow_is_accepted_by_the_real_inbox(client, settings, ap_commune):
    """GoToSocial's own bytes and signature through the inbox view, at the time it sent
    them; its key as it would have been fetched (main-key.json, then actor.json)."""
    settings.FEDERATION_BASE_URL = "https://localhost:8443"
    actor = parse_actor(load("actor.json"))
    RemoteActor.objects.create(url=actor.id, domain="localhost:8350", type="Person",
                               inbox=actor.inbox, public_key_id=actor.public_key_id,
                               public_key_pem=actor.public_key_pem)
    method, path, headers, body = recorded_request("follow-request.http")
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name not in ("content-type", "content-length", "host")}
    with time_machine.travel(parsedate_to_datetime(headers["date"]), tick=True):
        response = client.post(path, data=body, content_type=headers["content-type"],
                               HTTP_HOST="localhost:8443", secure=True, **extra)
        tampered = client.post(path, data=body.replace(b"Follow", b"Folloq"),
                               content_type=headers["content-type"],
                               HTTP_HOST="localhost:8443", secure=True, **extra)
    assert response.status_code == 202, response.content
    assert tampered.status_code in (400, 401) and "error" in tampered.json()
    worker.drain()
    follow = Follow.objects.get(remote_actor__url=actor.id, direction=FollowDirection.INBOUND)
    assert follow.state == FollowState.ACCEPTED and follow.commune == ap_commune
    accept = OutboxActivity.objects.get(activity_type="Accept")
    assert accept.activity["object"]["id"] == json.loads(body)["id"]


# --- finding its key over the network (the fake peer serves GoToSocial's shapes) ---------


def gotosocial_actor(peer, name: str = "alice"):
    """An account served as GoToSocial serves it: the key at `/users/<name>/main-key` as
    a minimal Person, the actor only to signed GETs (the recorded documents, on the
    peer's host, with a key the test holds)."""
    account = peer.add_actor(name, key_suffix="/main-key")
    recorded_pem = load("main-key.json")["publicKey"]["publicKeyPem"]
    swap = {GTS: peer.base, "alice": name}
    minimal = load("main-key.json", **swap)
    full = load("actor.json", **swap)
    minimal["publicKey"]["publicKeyPem"] = full["publicKey"]["publicKeyPem"] = \
        account.public_pem
    assert recorded_pem not in json.dumps(full)
    peer.serve_json(f"/users/{name}/main-key", minimal)
    peer.serve_json(f"/users/{name}", full)
    peer.signed_fetch_required = True
    return account


def follow_activity(account, target: str) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
            "id": f"{account.url}/follow/01ES2QE2EZZE3CEN98W4RY0439", "actor": account.url,
            "object": target, "to": target}


def _instance_signed(headers: dict[str, str]) -> bool:
    return f'keyId="{instance_actor_url()}#main-key"' in headers.get("signature", "")


def test_a_gotosocial_account_follows_a_commune(client, peer, ap_commune):
    alice = gotosocial_actor(peer)
    target = "http://testserver/ap/communes/donges"
    response = post_signed(client, actor=alice, path="/ap/communes/donges/inbox",
                           activity=follow_activity(alice, target))
    assert response.status_code == 202, response.content
    # The key document, then the full actor, both fetched with our signature.
    assert peer.fetched == ["/users/alice/main-key", "/users/alice"]
    assert all(_instance_signed(headers) for headers in peer.fetch_headers)
    stored = RemoteActor.objects.get(url=alice.url)
    assert stored.public_key_id == alice.key_id and stored.inbox == f"{alice.url}/inbox"
    worker.drain()
    accept = next(r.json for r in peer.received if r.json["type"] == "Accept")
    assert accept["object"]["actor"] == alice.url


def test_our_signed_gets_verify_with_the_instance_actor_key(client, peer, ap_commune):
    alice = gotosocial_actor(peer)
    post_signed(client, actor=alice, path="/ap/communes/donges/inbox",
                activity=follow_activity(alice, "http://testserver/ap/communes/donges"))
    document = client.get("/ap/actor", HTTP_ACCEPT="application/activity+json").json()
    assert document["type"] == "Application"
    assert document["publicKey"]["publicKeyPem"] == InstanceKey.objects.get().public_key_pem
    assert peer.fetched
    for path, headers in zip(peer.fetched, peer.fetch_headers, strict=True):
        verify_request(SignedRequest(method="GET", path=path, headers=headers, body=b""),
                       public_key_pem=document["publicKey"]["publicKeyPem"])


@pytest.mark.parametrize("attack", ["key-of-another", "owner-elsewhere", "owner-disowns"])
def test_a_key_its_owner_does_not_claim_is_refused(client, peer, ap_commune, attack):
    alice = gotosocial_actor(peer)
    mallory = gotosocial_actor(peer, "mallory")
    minimal = load("main-key.json", **{GTS: peer.base, "alice": "mallory"})
    minimal["publicKey"]["publicKeyPem"] = mallory.public_pem
    if attack == "key-of-another":
        # Mallory's key document says it is Alice's key: its id is not the keyId.
        minimal["publicKey"]["id"] = alice.key_id
    elif attack == "owner-elsewhere":
        minimal["id"] = minimal["publicKey"]["owner"] = "http://other.invalid/users/mallory"
    else:
        # The key document names Alice as the owner; Alice's actor names another key.
        minimal["id"] = minimal["publicKey"]["owner"] = alice.url
    peer.serve_json("/users/mallory/main-key", minimal)
    with pytest.raises(RemoteError):
        remote_actor_for_key(key_id=mallory.key_id)
    response = post_signed(client, actor=mallory, path="/ap/communes/donges/inbox",
                           activity=follow_activity(mallory,
                                                    "http://testserver/ap/communes/donges"))
    assert response.status_code == 401 and response.json() == {"error": "unknown key"}
    assert not Follow.objects.exists()


def test_a_key_owned_by_someone_else_than_the_actor_is_refused(client, peer, ap_commune):
    alice, bob = gotosocial_actor(peer), gotosocial_actor(peer, "bob")
    # Signed by Bob's (valid) key, claiming to be Alice.
    forged = follow_activity(alice, "http://testserver/ap/communes/donges")
    response = post_signed(client, actor=bob, path="/ap/communes/donges/inbox",
                           activity=forged)
    assert response.status_code == 401
    assert response.json() == {"error": "the key's owner is not the activity's actor"}
    assert not Follow.objects.exists()


def test_a_commune_follows_a_gotosocial_account(peer, ap_commune):
    from federation.activitypub.remote import follow_remote

    alice = gotosocial_actor(peer)
    follow = follow_remote(commune=ap_commune, handle_or_url=alice.url)
    assert follow.state == FollowState.PENDING and follow.remote_actor.type == "Person"
    assert peer.fetched == ["/users/alice"] and _instance_signed(peer.fetch_headers[0])
    worker.drain()
    sent = next(r for r in peer.received if r.json["type"] == "Follow")
    assert sent.json["object"] == alice.url
    assert base64.b64decode(sent.headers["signature"].rsplit('signature="', 1)[1][:-1])


def test_what_the_live_server_sent_is_read():
    """The activities GoToSocial POSTed during the live run (received-by-clocher-live.json):
    each parses, is its actor's, the Accept names the commune's own Follow, and alice's
    edit and deletion name the post she created."""
    from federation.activitypub.inbound_json import activity_shape_check
    from federation.activitypub.wire import ACTIVITY_TYPES, host_of

    received = json.loads((DATA / "received-by-clocher-live.json").read_text())
    activities = [parse(raw) for raw in received]
    for raw in received:
        activity_shape_check(raw, activity_types=ACTIVITY_TYPES)
    assert [a.type for a in activities] == ["Follow", "Accept", "Create", "Update", "Delete"]
    alice = activities[0].actor
    assert all(a.actor == alice and host_of(a.id) == host_of(alice) for a in activities)
    accept = activities[1]
    assert accept.object.type == "Follow" and accept.object.object_id == alice
    assert accept.object.actor.endswith("/ap/communes/donges")
    note = activities[2].object
    assert note.type == "Note" and note.attributed_to == alice and note.summary == ""
    update, delete = activities[3], activities[4]
    assert update.object.id == note.id and update.object.attributed_to == alice
    assert "dimanche" in update.object.content and "samedi" in note.content
    assert delete.object is None and delete.object_id == note.id

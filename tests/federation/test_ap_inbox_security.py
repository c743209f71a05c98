"""Adversarial requests on the real inbox view (issue 5, item 3 and 6)."""

import datetime as dt
import json

import pytest

from federation.activitypub.signatures import http_date, load_private_key, sign_request
from federation.models import BlockedDomain, InboxMessage
from tests.federation.e2e.fixtures import BASE, post_signed

INBOX = "/ap/communes/donges/inbox"


def follow(actor, number=1):
    return {"id": f"{actor.url}#follows/{number}", "type": "Follow", "actor": actor.url,
            "object": f"{BASE}/ap/communes/donges"}


def headers_for(signed):
    return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()
            if k.lower() != "content-type"}


@pytest.fixture
def alice(peer, ap_commune):
    return peer.add_actor("alice")


def test_valid_signature_is_accepted(client, alice):
    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202
    assert InboxMessage.objects.count() == 1


def test_unsigned_is_refused(client, alice):
    response = client.post(INBOX, data=json.dumps(follow(alice)),
                           content_type="application/activity+json")
    assert response.status_code == 401
    assert InboxMessage.objects.count() == 0


def test_signed_by_another_actor_is_refused(client, peer, alice):
    mallory = peer.add_actor("mallory")
    # Mallory signs an activity that claims to be Alice's.
    response = post_signed(client, actor=mallory, path=INBOX, activity=follow(alice))
    assert response.status_code == 401
    assert "owner" in response.json()["error"]


def test_body_changed_after_signing_is_refused(client, alice):
    body = json.dumps(follow(alice)).encode()
    tampered = body.replace(b"follows/1", b"follows/2")
    response = post_signed(client, actor=alice, path=INBOX, activity={}, body=tampered,
                           sign_body=body)
    assert response.status_code == 401
    assert "Digest" in response.json()["error"]


def test_digest_not_covered_by_the_signature_is_refused(client, alice):
    body = json.dumps(follow(alice)).encode()
    signed = alice.sign(url=f"{BASE}{INBOX}", body=body)
    # Re-sign without the digest in the covered headers.
    key = load_private_key(alice.private_pem)
    resigned = sign_request(method="POST", url=f"{BASE}{INBOX}", headers={}, body=None,
                            key_id=alice.key_id, private_key=key)
    signed["Signature"] = resigned["Signature"]
    signed["Date"] = resigned["Date"]
    response = client.post(INBOX, data=body, content_type="application/activity+json",
                           **headers_for(signed))
    assert response.status_code == 401
    assert "digest" in response.json()["error"]


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=-6), dt.timedelta(minutes=6)])
def test_stale_and_future_dates_are_refused(client, alice, monkeypatch, offset):
    from federation.activitypub import signatures

    moment = dt.datetime.now(dt.UTC) + offset
    monkeypatch.setattr(signatures, "http_date", lambda when=None: http_date(moment))
    response = post_signed(client, actor=alice, path=INBOX, activity=follow(alice))
    assert response.status_code == 401
    assert "Date" in response.json()["error"]


def test_replay_has_no_effect(client, alice):
    body = json.dumps(follow(alice)).encode()
    signed = alice.sign(url=f"{BASE}{INBOX}", body=body)
    first = client.post(INBOX, data=body, content_type="application/activity+json",
                        **headers_for(signed))
    replay = client.post(INBOX, data=body, content_type="application/activity+json",
                         **headers_for(signed))
    assert first.status_code == 202 and replay.status_code == 202
    assert replay.json()["status"] == "duplicate"
    assert InboxMessage.objects.count() == 1


def test_object_on_a_foreign_host_is_refused(client, alice):
    activity = {"id": f"{alice.url}#create/1", "type": "Create", "actor": alice.url,
                "object": {"id": "https://elsewhere.example/events/1", "type": "Event",
                           "attributedTo": alice.url, "name": "Fake"}}
    response = post_signed(client, actor=alice, path=INBOX, activity=activity)
    assert response.status_code == 400
    assert "host" in response.json()["error"]


def test_activity_id_on_a_foreign_host_is_refused(client, alice):
    activity = follow(alice)
    activity["id"] = "https://elsewhere.example/follows/1"
    assert post_signed(client, actor=alice, path=INBOX, activity=activity).status_code == 400


def test_oversized_body_gets_413(client, alice, settings):
    activity = follow(alice)
    activity["padding"] = "x" * settings.FEDERATION_INBOX_MAX_BYTES
    response = post_signed(client, actor=alice, path=INBOX, activity=activity)
    assert response.status_code == 413
    assert InboxMessage.objects.count() == 0


def test_blocked_domain_is_refused(client, peer, alice):
    BlockedDomain.objects.create(domain="127.0.0.1")
    response = post_signed(client, actor=alice, path=INBOX, activity=follow(alice))
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_replay_has_no_effect_in_autocommit(client, alice):
    # As served: no transaction around the view, the INSERT alone decides.
    test_replay_has_no_effect(client, alice)
    assert InboxMessage.objects.get().activity_id == follow(alice)["id"]


def test_domain_blocked_after_its_key_was_stored_is_refused(client, peer, alice):
    # The key and the block are read in one query: a stored key must not skip the block.
    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202
    BlockedDomain.objects.create(domain="127.0.0.1")
    response = post_signed(client, actor=alice, path=INBOX, activity=follow(alice, number=2))
    assert response.status_code == 403
    assert InboxMessage.objects.count() == 1


def test_blocked_domain_is_refused_before_the_signature_is_read(client, peer, alice):
    BlockedDomain.objects.create(domain="127.0.0.1")
    response = client.post(INBOX, data=json.dumps(follow(alice)),
                           content_type="application/activity+json")
    assert response.status_code == 403


def test_key_rotation_is_picked_up_from_the_origin(client, peer, alice):
    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202
    # Alice rotates her key; her server now serves the new one.
    from federation.activitypub.signatures import generate_key_pair

    alice.private_pem, alice.public_pem = generate_key_pair()
    peer.serve_json("/users/alice", alice.document())
    response = post_signed(client, actor=alice, path=INBOX, activity=follow(alice, number=2))
    assert response.status_code == 202


def _rfc9421_request(alice, body: bytes):
    import requests
    from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

    class Resolver(HTTPSignatureKeyResolver):
        def resolve_private_key(self, key_id):
            return alice.private_pem.encode()

        def resolve_public_key(self, key_id):
            raise NotImplementedError

    request = requests.Request("POST", f"{BASE}{INBOX}", data=body, headers={
        "Content-Type": "application/activity+json", "Date": http_date()}).prepare()
    HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                      key_resolver=Resolver()).sign(
        request, key_id=alice.key_id,
        covered_component_ids=("@method", "@target-uri", "content-digest", "date"), body=body)
    return headers_for({k: v for k, v in request.headers.items() if k.lower() != "content-length"})


def test_rfc9421_with_a_changed_body_is_refused(client, alice):
    body = json.dumps(follow(alice)).encode()
    headers = _rfc9421_request(alice, body)
    tampered = body.replace(b"follows/1", b"follows/9")
    response = client.post(INBOX, data=tampered, content_type="application/activity+json",
                           **headers)
    assert response.status_code == 401
    assert InboxMessage.objects.count() == 0


def test_rfc9421_signature_is_accepted(client, alice):
    import requests
    from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

    from federation.activitypub.signatures import body_digest

    class Resolver(HTTPSignatureKeyResolver):
        def resolve_private_key(self, key_id):
            return alice.private_pem.encode()

        def resolve_public_key(self, key_id):
            raise NotImplementedError

    body = json.dumps(follow(alice)).encode()
    request = requests.Request("POST", f"{BASE}{INBOX}", data=body, headers={
        "Content-Type": "application/activity+json", "Date": http_date()}).prepare()
    HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                      key_resolver=Resolver()).sign(
        request, key_id=alice.key_id,
        covered_component_ids=("@method", "@target-uri", "content-digest", "date"), body=body)
    assert body_digest(body)
    response = client.post(INBOX, data=body, content_type="application/activity+json",
                           **headers_for({k: v for k, v in request.headers.items()
                                          if k.lower() not in ("content-length",)}))
    assert response.status_code == 202, response.content


def test_nul_character_is_refused_and_nothing_stored(client, alice):
    # PostgreSQL cannot store U+0000: before this check it was a 500 there.
    activity = {**follow(alice), "summary": "vide-grenier\u0000<script>"}
    response = post_signed(client, actor=alice, path=INBOX, activity=activity)
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    assert InboxMessage.objects.count() == 0
    # The same activity without it goes through.
    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202


def test_an_inbox_post_from_a_known_key_is_one_select_and_one_insert(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202
    with CaptureQueriesContext(connection) as queries:
        response = post_signed(client, actor=alice, path="/ap/inbox",
                               activity=follow(alice, number=2))
    assert response.status_code == 202
    # Savepoints aside (the test runs in a transaction; served, the INSERT is alone):
    # the key with the domain block, then the message, its own replay record.
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries
                  if "SAVEPOINT" not in query["sql"].upper()]
    assert statements == ["SELECT", "INSERT"]


def test_a_rotated_key_stored_by_another_process_is_used_at_once(client, peer, alice):
    # The key is read from the database on every POST (no copy kept in this process):
    # once another process has stored the new key, the origin is not even asked.
    from federation.activitypub.signatures import generate_key_pair
    from federation.models import RemoteActor

    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202
    alice.private_pem, alice.public_pem = generate_key_pair()
    RemoteActor.objects.filter(url=alice.url).update(public_key_pem=alice.public_pem)
    peer.serve_json("/users/alice", {"error": "must not be fetched"})
    response = post_signed(client, actor=alice, path=INBOX, activity=follow(alice, number=2))
    assert response.status_code == 202
    assert InboxMessage.objects.count() == 2


def test_an_old_key_is_refused_once_the_actor_stored_a_new_one(client, peer, alice):
    from federation.activitypub.signatures import generate_key_pair
    from federation.models import RemoteActor

    old_private = alice.private_pem
    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice)).status_code == 202
    alice.private_pem, alice.public_pem = generate_key_pair()
    RemoteActor.objects.filter(url=alice.url).update(public_key_pem=alice.public_pem)
    peer.serve_json("/users/alice", alice.document())
    alice.private_pem = old_private  # a request signed with the replaced key
    response = post_signed(client, actor=alice, path=INBOX, activity=follow(alice, number=2))
    assert response.status_code == 401
    assert InboxMessage.objects.count() == 1


def test_the_stored_message_sets_every_column_as_the_model_would(client, alice):
    # The view INSERTs in plain SQL: a column added to the model must be added there too.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert post_signed(client, actor=alice, path=INBOX,
                           activity=follow(alice)).status_code == 202
    insert = next(query["sql"] for query in queries.captured_queries
                  if query["sql"].startswith(f'INSERT INTO "{InboxMessage._meta.db_table}"'))
    columns = insert.split("(", 1)[1].split(")", 1)[0]
    assert {column.strip().strip('"') for column in columns.split(",")} == {
        field.column for field in InboxMessage._meta.concrete_fields if not field.primary_key}
    message = InboxMessage.objects.get()
    assert (message.state, message.attempts, message.last_error) == ("received", 0, "")
    assert message.commune is not None and message.body == follow(alice)
    assert dt.timedelta(hours=23) < message.deadline - message.received_at \
        <= dt.timedelta(hours=24)
    assert message.next_attempt_at <= message.received_at + dt.timedelta(seconds=1)

"""Fetching signing keys: quiet refusals, and no refetch for every bad POST.

An attacker chooses the keyId of a request, so its host, and the inbox fetches it:
the answer must not say what that host resolves to or why the fetch failed (the
details are logged here), and repeating the POST must not make this server fetch the
key again and again (a negative cache, FEDERATION_KEY_FETCH_FAILURE_SECONDS).
"""

import datetime as dt
import json
import logging

import pytest
import time_machine
from django.conf import settings as django_settings

from federation.activitypub.signatures import load_private_key, sign_request
from federation.models import InboxMessage
from tests.federation.e2e.fixtures import BASE, post_signed
from tests.federation.test_ap_inbox_hostile import actor_of, follow

INBOX = "/ap/communes/donges/inbox"


def failure_seconds() -> float:
    return getattr(django_settings, "FEDERATION_KEY_FETCH_FAILURE_SECONDS", 300)


def post_with_key_id(client, *, actor, key_id: str, number: int = 1):
    """A Follow whose actor lives where key_id does, signed with actor's key."""
    actor_url = key_id.split("#", 1)[0]
    activity = {**follow(actor_url), "id": f"{actor_url}#follows/{number}"}
    body = json.dumps(activity).encode()
    signed = sign_request(method="POST", url=f"{BASE}{INBOX}", headers={}, body=body,
                          key_id=key_id, private_key=load_private_key(actor.private_pem))
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in signed.items()}
    return client.post(INBOX, data=body, content_type="application/activity+json", **extra)


@pytest.mark.parametrize("key_host", ["localhost:9", "10.0.0.1", "[::1]", "2130706433"])
def test_a_401_does_not_say_what_the_key_host_resolves_to(client, peer, ap_commune, caplog,
                                                          key_host):
    alice = actor_of(peer, "alice")
    with caplog.at_level(logging.INFO, logger="federation"):
        response = post_with_key_id(client, actor=alice,
                                    key_id=f"http://{key_host}/users/alice#main-key")
    assert response.status_code == 401
    text = response.content.decode()
    for detail in ("127.0.0.1", "10.0.0.1", "::1", "resolve", "non-public", "localhost",
                   "2130706433", "HTTP"):
        assert detail not in text
    assert response.json() == {"error": "unknown key"}
    # The operator still learns why, from the log.
    assert any("non-public" in record.getMessage() for record in caplog.records)
    assert InboxMessage.objects.count() == 0


def test_a_401_does_not_say_how_the_key_host_answered(client, peer, ap_commune):
    ghost = actor_of(peer, "ghost")
    peer.serve_json("/users/ghost", {"error": "internal detail"}, status=500)
    response = post_signed(client, actor=ghost, path=INBOX, activity=follow(ghost.url))
    assert response.status_code == 401
    assert response.json() == {"error": "unknown key"}


def test_a_failed_key_fetch_is_not_repeated_for_a_while(client, peer, ap_commune):
    ghost = actor_of(peer, "ghost")
    del peer.documents["/users/ghost"]  # the key's host answers 404
    for number in range(1, 6):
        response = post_with_key_id(client, actor=ghost, key_id=ghost.key_id, number=number)
        assert response.status_code == 401
    assert peer.fetched.count("/users/ghost") == 1
    # Once the failure is old enough, the key is fetched again (and found, this time).
    peer.serve_json("/users/ghost", ghost.document())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=failure_seconds() + 1)
    with time_machine.travel(later, tick=True):
        response = post_with_key_id(client, actor=ghost, key_id=ghost.key_id, number=6)
    assert response.status_code == 202
    assert peer.fetched.count("/users/ghost") == 2


def test_bad_signatures_with_a_known_key_refetch_it_once(client, peer, ap_commune):
    alice = actor_of(peer, "alice")
    assert post_signed(client, actor=alice, path=INBOX, activity=follow(alice.url)) \
        .status_code == 202
    assert peer.fetched.count("/users/alice") == 1
    forger = peer.add_actor("forger")  # another key, signing with alice's keyId
    for number in range(2, 7):
        response = post_with_key_id(client, actor=forger, key_id=alice.key_id, number=number)
        assert response.status_code == 401
    # One refetch (the key may have been rotated), not one per bad POST.
    assert peer.fetched.count("/users/alice") == 2
    # Alice's own requests still go through with the stored key.
    response = post_with_key_id(client, actor=alice, key_id=alice.key_id, number=7)
    assert response.status_code == 202

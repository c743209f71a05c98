"""FEDERATION_REQUIRE_SIGNED_FETCH: our objects only to signed GETs ("authorized fetch").
"""

import pytest

from cms.content.models import EventIndexPage
from federation.activitypub.signatures import load_private_key, sign_request
from federation.models import BlockedDomain
from tests.factories import EventPageFactory, section
from tests.federation.e2e.fixtures import BASE


@pytest.fixture
def event(ap_commune):
    page = EventPageFactory.build(title="Loto de la paroisse")
    section(ap_commune, EventIndexPage).add_child(instance=page)
    return page


def signed_get(client, path: str, *, actor, signed_path: str | None = None):
    headers = sign_request(method="GET", url=f"{BASE}{signed_path or path}",
                           headers={"Accept": "application/activity+json"}, body=None,
                           key_id=actor.key_id, private_key=load_private_key(actor.private_pem))
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client.get(path, **extra)


def test_off_by_default_objects_are_public(client, ap_commune, event):
    response = client.get(f"/ap/objects/{event.pk}", HTTP_ACCEPT="application/activity+json")
    assert response.status_code == 200 and response.json()["name"] == "Loto de la paroisse"


def test_on_unsigned_gets_of_objects_and_collections_are_refused(client, settings, ap_commune,
                                                                  event):
    settings.FEDERATION_REQUIRE_SIGNED_FETCH = True
    for path in (f"/ap/objects/{event.pk}", "/ap/communes/donges/outbox",
                 "/ap/communes/donges/followers"):
        response = client.get(path, HTTP_ACCEPT="application/activity+json")
        assert response.status_code == 401, path
        assert response.json() == {"error": "this server answers signed requests only"}
    # What a peer needs before it can sign, or to check our signatures, stays public.
    for path in ("/ap/communes/donges", "/ap/actor",
                 "/.well-known/webfinger?resource=acct:donges@testserver"):
        assert client.get(path, HTTP_ACCEPT="application/activity+json").status_code == 200


def test_on_a_signed_get_is_answered(client, settings, peer, ap_commune, event):
    settings.FEDERATION_REQUIRE_SIGNED_FETCH = True
    alice = peer.add_actor("alice", key_suffix="/main-key")
    peer.serve_json("/users/alice/main-key", alice.document())  # the actor at its key URL
    response = signed_get(client, f"/ap/objects/{event.pk}", actor=alice)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Loto de la paroisse"
    # A signature made for another path does not open this one.
    response = signed_get(client, f"/ap/objects/{event.pk}", actor=alice,
                          signed_path="/ap/communes/donges/outbox")
    assert response.status_code == 401 and response.json() == {"error": "signature refused"}


def test_on_a_blocked_domain_is_refused(client, settings, peer, ap_commune, event):
    settings.FEDERATION_REQUIRE_SIGNED_FETCH = True
    alice = peer.add_actor("alice")
    BlockedDomain.objects.create(domain="127.0.0.1", reason="test")
    response = signed_get(client, f"/ap/objects/{event.pk}", actor=alice)
    assert response.status_code == 403 and response.json() == {"error": "domain blocked"}
    assert peer.fetched == []

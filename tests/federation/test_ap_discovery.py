"""WebFinger, NodeInfo, the Organization actor and its collections."""

from federation.models import ActorKey


def test_webfinger_finds_the_commune_actor(client, ap_commune):
    response = client.get("/.well-known/webfinger", {"resource": "acct:donges@testserver"})
    assert response.status_code == 200
    data = response.json()
    assert data["subject"] == "acct:donges@testserver"
    self_link = next(link for link in data["links"] if link["rel"] == "self")
    assert self_link["type"] == "application/activity+json"
    assert self_link["href"] == "http://testserver/ap/communes/donges"


def test_webfinger_refuses_other_hosts_and_unknown_communes(client, ap_commune):
    assert client.get("/.well-known/webfinger",
                      {"resource": "acct:donges@evil.example"}).status_code == 404
    assert client.get("/.well-known/webfinger",
                      {"resource": "acct:nowhere@testserver"}).status_code == 404
    assert client.get("/.well-known/webfinger", {"resource": "x"}).status_code == 400


def test_actor_is_an_organization_with_key_and_endpoints(client, ap_commune):
    response = client.get("/ap/communes/donges", HTTP_ACCEPT="application/activity+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/activity+json")
    actor = response.json()
    assert actor["type"] == "Organization"
    assert actor["preferredUsername"] == "donges"
    assert actor["inbox"] == "http://testserver/ap/communes/donges/inbox"
    assert actor["endpoints"]["sharedInbox"] == "http://testserver/ap/inbox"
    assert actor["followers"].endswith("/followers")
    assert actor["publicKey"]["owner"] == actor["id"]
    assert "BEGIN PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    key = ActorKey.objects.get(commune=ap_commune)
    # At rest the private key is encrypted, never PEM.
    assert "PRIVATE KEY" not in key.private_key_encrypted


def test_nodeinfo(client, ap_commune):
    links = client.get("/.well-known/nodeinfo").json()["links"]
    assert links[0]["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1"
    data = client.get("/nodeinfo/2.1").json()
    assert data["version"] == "2.1"
    assert data["software"]["name"] == "clocher"
    assert data["protocols"] == ["activitypub"]
    assert data["usage"]["users"]["total"] == 1


def test_collections(client, ap_commune):
    for suffix in ("outbox", "followers"):
        data = client.get(f"/ap/communes/donges/{suffix}").json()
        assert data["type"] == "OrderedCollection"
        assert data["totalItems"] == 0

"""Deliveries adapted to the receiving server's software (federation/activitypub/servers.py):
an event's `name` left out for GoToSocial, which would show it as a content warning;
kept for every other server; the software read once from NodeInfo, never fatal."""

import json
from pathlib import Path

import pytest

from federation.activitypub import delivery as delivery_module
from federation.activitypub import worker
from federation.activitypub.outbox import activity_record
from federation.activitypub.servers import server_software
from federation.models import (
    ActorKey,
    Delivery,
    DeliveryState,
)
from tests.federation.e2e.peer import verify_received

# GoToSocial 0.19.2's own NodeInfo (tests/data/gotosocial/README.md).
NODEINFO = json.loads((Path(__file__).resolve().parents[1] / "data" / "gotosocial"
                       / "nodeinfo.json").read_text())

EVENT = {"id": "http://testserver/ap/objects/42", "type": "Event", "name": "Fête de la musique",
         "content": "<p><strong>Fête de la musique</strong></p>",
         "clocherName": "Fête de la musique", "startTime": "2027-06-21T18:00:00+02:00"}


def serve_nodeinfo(peer, software: str) -> None:
    peer.serve_json("/.well-known/nodeinfo", {"links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
        "href": f"{peer.base}/nodeinfo/2.0"}]})
    peer.serve_json("/nodeinfo/2.0", {**NODEINFO, "software": {
        **NODEINFO["software"], "name": software}})



def _deliver(commune, object_: dict) -> Delivery:
    activity_record(commune=commune, activity_type="Create", object_=object_)
    worker.fan_out_pending()
    delivery_module.deliveries_run()
    return Delivery.objects.get()


@pytest.mark.django_db
def test_an_event_reaches_gotosocial_without_its_name(peer, ap_commune, follower):
    serve_nodeinfo(peer, NODEINFO["software"]["name"])
    delivery = _deliver(ap_commune, EVENT)
    assert delivery.state == DeliveryState.DELIVERED
    sent = peer.received[-1].json["object"]
    assert "name" not in sent
    assert sent["clocherName"] == "Fête de la musique" and "Fête" in sent["content"]
    # Signed over the body it carries, not over the stored activity.
    assert verify_received(peer.received[-1], public_key_pem=ActorKey.objects.get(
        commune=ap_commune).public_key_pem)
    # The stored activity keeps the name: other servers get it.
    assert delivery.activity.activity["object"]["name"] == "Fête de la musique"


@pytest.mark.django_db
@pytest.mark.parametrize("software", ["mastodon", "mobilizon", "clocher"])
def test_other_servers_get_the_event_name(peer, ap_commune, follower, software):
    serve_nodeinfo(peer, software)
    _deliver(ap_commune, EVENT)
    assert peer.received[-1].json["object"]["name"] == "Fête de la musique"


@pytest.mark.django_db
def test_a_server_without_nodeinfo_gets_the_activity_as_stored(peer, ap_commune, follower):
    peer.serve_bytes("/.well-known/nodeinfo", b"<html>not json</html>")
    delivery = _deliver(ap_commune, EVENT)
    assert delivery.state == DeliveryState.DELIVERED
    assert peer.received[-1].json["object"]["name"] == "Fête de la musique"


@pytest.mark.django_db
def test_news_never_asks_for_nodeinfo(peer, ap_commune, follower):
    _deliver(ap_commune, {"id": "http://testserver/ap/objects/7", "type": "Article",
                          "content": "<p>x</p>"})
    assert "/.well-known/nodeinfo" not in peer.fetched


@pytest.mark.django_db
def test_software_is_read_once_per_server(peer):
    serve_nodeinfo(peer, "GoToSocial")
    assert server_software(f"{peer.base}/users/alice/inbox") == "gotosocial"
    assert server_software(f"{peer.base}/inbox") == "gotosocial"
    assert peer.fetched.count("/.well-known/nodeinfo") == 1


@pytest.mark.django_db
def test_nodeinfo_pointing_to_another_host_is_not_followed(peer):
    peer.serve_json("/.well-known/nodeinfo", {"links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
        "href": "http://169.254.169.254/nodeinfo/2.0"}]})
    assert server_software(f"{peer.base}/inbox") == ""
    assert peer.fetched == ["/.well-known/nodeinfo"]


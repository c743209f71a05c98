"""The outgoing client refuses internal targets, also after redirects and DNS."""

import json
import socket

import pytest

from federation.activitypub.http import (
    Policy,
    ResponseTooLargeError,
    SafeClient,
    UnsafeURLError,
    address_is_public,
    check_url,
)
from federation.models import InboxMessage, RemoteActor
from tests.federation.e2e.fixtures import BASE
from tests.federation.e2e.peer import start_peer

STRICT = Policy()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/actor",
    "http://10.0.0.1/actor",
    "http://192.168.1.1/actor",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/actor",
    "http://[::ffff:127.0.0.1]/actor",
    "http://[::ffff:169.254.169.254]/actor",
    "http://2130706433/actor",        # 127.0.0.1 as a decimal number
    "http://0x7f000001/actor",        # and in hexadecimal
    "http://127.1/actor",
    "http://0.0.0.0/actor",
    "http://localhost/actor",
    "http://[fe80::1]/actor",
    "http://100.64.0.1/actor",       # carrier-grade NAT
    "file:///etc/passwd",
    "gopher://127.0.0.1/",
    "http://user:pass@example.org/",
])
def test_internal_targets_are_refused(url):
    with pytest.raises(UnsafeURLError):
        check_url(url, policy=STRICT)


def test_public_addresses_are_allowed():
    assert address_is_public("93.184.216.34")
    assert address_is_public("2606:2800:220:1:248:1893:25c8:1946")
    assert not address_is_public("::ffff:10.0.0.1")


def test_a_public_name_resolving_to_loopback_is_refused(monkeypatch):
    # There is no DNS on this machine: stand in for the resolver's answer only.
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))])
    with pytest.raises(UnsafeURLError):
        check_url("http://rebind.example/actor", policy=STRICT)


def test_connect_time_check_catches_what_resolution_missed(monkeypatch):
    """DNS rebinding: the name looked public when checked, the socket lands on loopback."""
    target = start_peer()
    real_getaddrinfo = socket.getaddrinfo
    port = target.server.server_address[1]

    def resolver(host, *args, **kwargs):
        # Stand-in for DNS: first answer public (the check), then loopback (the connect).
        if host == "rebind.example":
            resolver.calls += 1
            address = "93.184.216.34" if resolver.calls == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, *args, **kwargs)

    resolver.calls = 0
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    try:
        with pytest.raises(UnsafeURLError):
            SafeClient(STRICT).get(f"http://rebind.example:{port}/x")
        assert target.received == []
    finally:
        target.close()


def test_a_redirect_to_loopback_is_refused():
    allowed, internal = start_peer(), start_peer()
    try:
        internal.serve_json("/secret", {"secret": True})
        allowed.redirect("/actor", f"http://{internal.netloc}/secret")
        client = SafeClient(Policy(allowed_private_peers=frozenset({allowed.netloc})))
        with pytest.raises(UnsafeURLError):
            client.get(f"{allowed.base}/actor")
        # Also a redirect to the allowed host under another name.
        allowed.redirect("/actor2", f"http://localhost:{allowed.server.server_address[1]}/x")
        with pytest.raises(UnsafeURLError):
            client.get(f"{allowed.base}/actor2")
    finally:
        allowed.close()
        internal.close()


def test_response_size_is_limited():
    big = start_peer()
    try:
        big.serve_json("/big", {"padding": "x" * 300_000})
        client = SafeClient(Policy(allowed_private_peers=frozenset({big.netloc}),
                                   max_bytes=100_000))
        with pytest.raises(ResponseTooLargeError):
            client.get(f"{big.base}/big")
    finally:
        big.close()


@pytest.mark.parametrize("key_host", ["127.0.0.1:9", "10.0.0.1", "169.254.169.254", "[::1]",
                                      "[::ffff:127.0.0.1]", "2130706433"])
def test_inbox_never_fetches_an_internal_key(client, peer, ap_commune, key_host):
    """A signature whose keyId points inside the network is refused without fetching."""
    actor = peer.add_actor("alice")
    actor_url = f"http://{key_host}/users/alice"
    activity = {"id": f"http://{key_host}/follows/1", "type": "Follow", "actor": actor_url,
                "object": f"{BASE}/ap/communes/donges"}
    body = json.dumps(activity).encode()
    from federation.activitypub.signatures import load_private_key, sign_request

    signed = sign_request(method="POST", url=f"{BASE}/ap/communes/donges/inbox", headers={},
                          body=body, key_id=f"{actor_url}#main-key",
                          private_key=load_private_key(actor.private_pem))
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()}
    response = client.post("/ap/communes/donges/inbox", data=body,
                           content_type="application/activity+json", **extra)
    assert response.status_code == 401
    assert InboxMessage.objects.count() == 0
    assert not RemoteActor.objects.exists()

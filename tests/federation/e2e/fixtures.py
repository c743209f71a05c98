"""Fixtures for the ActivityPub tests (imported by the test_ap_* modules)."""

import json

import pytest
from django.core.cache import cache

from federation.activitypub import delivery
from tests.world import shared_communes

from .peer import start_peer

BASE = "http://testserver"


@pytest.fixture
def peer(settings):
    """A live fake remote server on loopback, allow-listed for the outgoing client.

    The cache is emptied around it: keys whose fetch failed are remembered there
    (FEDERATION_KEY_FETCH_FAILURE_SECONDS), and a later peer may get the same port."""
    cache.clear()
    server = start_peer()
    settings.FEDERATION_ALLOWED_PRIVATE_PEERS = [server.netloc]
    settings.FEDERATION_BASE_URL = BASE
    delivery._client_for.cache_clear()
    yield server
    server.close()
    delivery._client_for.cache_clear()
    cache.clear()


@pytest.fixture
def ap_commune(db, settings):
    """Donges, without the official data the other tests give it (shared: tests/world.py)."""
    settings.FEDERATION_BASE_URL = BASE
    return shared_communes.get("ap_commune")


def post_signed(client, *, actor, path: str, activity: dict, body: bytes | None = None,
                headers: dict | None = None, sign_body: bytes | None = None):
    """POST an activity to our inbox view, signed by `actor` (a RemoteTestActor)."""
    body = body if body is not None else json.dumps(activity).encode()
    signed = actor.sign(url=f"{BASE}{path}", body=sign_body if sign_body is not None else body,
                        headers=headers)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in signed.items()
             if name.lower() != "content-type"}
    return client.post(path, data=body, content_type="application/activity+json", **extra)

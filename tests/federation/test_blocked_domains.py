"""The domain blocklist compares normalised names: a trailing dot, upper case, a port,
a user part or the Unicode spelling of a name do not get around it."""

import pytest

from federation.activitypub.remote import domain_blocked, remote_actor_cached_for_key
from federation.domains import domain_normalized
from federation.models import BlockedDomain, RemoteActor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("raw", "normalized"), [
    ("blocked.example", "blocked.example"),
    ("Blocked.Example.", "blocked.example"),
    (" blocked.example:8443 ", "blocked.example"),
    ("mallory@blocked.example", "blocked.example"),
    ("BÜCHER.example.", "xn--bcher-kva.example"),
    ("[::1]:443", "::1"),
    ("", ""),
])
def test_domains_are_normalized(raw, normalized):
    assert domain_normalized(raw) == normalized


@pytest.mark.parametrize("stored", ["blocked.example", "Blocked.EXAMPLE.", "blocked.example:443"])
@pytest.mark.parametrize("host", [
    "blocked.example", "blocked.example.", "BLOCKED.example", "blocked.example:443",
    "eve@blocked.example", "sub.blocked.example.", "deep.sub.Blocked.Example..",
])
def test_every_spelling_of_a_blocked_domain_is_blocked(stored, host):
    BlockedDomain.objects.create(domain=stored)
    assert BlockedDomain.objects.get().domain == "blocked.example"
    assert domain_blocked(host)
    # The inbox's one-query check (a known key, its host asked about) reads them too.
    RemoteActor.objects.create(url="https://peer.example/actor", domain="peer.example",
                               inbox="https://peer.example/inbox",
                               public_key_id="https://peer.example/actor#key",
                               public_key_pem="-----BEGIN PUBLIC KEY-----")
    owner = remote_actor_cached_for_key(key_id="https://peer.example/actor#key",
                                        blocked_host=host)
    assert owner is not None and owner.blocked
    assert not domain_blocked("notblocked.example")
    assert not domain_blocked("blocked.example.com")


def test_an_internationalised_domain_is_blocked_in_both_spellings():
    BlockedDomain.objects.create(domain="bücher.example")
    assert BlockedDomain.objects.get().domain == "xn--bcher-kva.example"
    assert domain_blocked("BÜCHER.example.")
    assert domain_blocked("shop.xn--bcher-kva.example")
    assert not domain_blocked("bucher.example")

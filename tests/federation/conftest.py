"""Fixtures of the federation tests: sharing inside one deployment, then ActivityPub."""

import pytest
from django.contrib.auth import get_user_model

from cms.communes.roles import CommuneRole, user_add_to_role
from federation.models import (
    Follow,
    FollowDirection,
    FollowState,
    RemoteActor,
    SharingPolicy,
)
from tests.federation.e2e.fixtures import ap_commune, peer  # noqa: F401 (fixtures)

# --- sharing inside one deployment ---------------------------------------------------


def sharing_policy(commune, *, kinds=("news", "event", "alert"), radius_km=10.0,
                   categories=(), named=(), epci=False, department=False,
                   default_acceptance="review"):
    """Set a commune's sharing rules directly (the admin goes through the service)."""
    policy, _created = SharingPolicy.objects.update_or_create(
        commune=commune, defaults={
            "kinds": list(kinds), "radius_km": radius_km, "share_with_epci": epci,
            "share_with_department": department, "default_acceptance": default_acceptance})
    policy.categories.set(categories)
    policy.named_communes.set(named)
    return policy


def communicant(commune, username):
    user = get_user_model().objects.create_user(username=username, password="x")  # noqa: S106
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    return user


# --- ActivityPub (tests/federation/test_ap_*.py) ---------------------------------------


@pytest.fixture
def followed(peer, ap_commune):  # noqa: F811 (the imported fixtures)
    """A remote commune (on the fake peer) that Donges follows, Accept received."""
    actor = peer.add_actor("saint-nazaire", actor_type="Organization")
    remote = RemoteActor.objects.create(
        url=actor.url, domain=peer.netloc, type="Organization", inbox=f"{actor.url}/inbox",
        name="Saint-Nazaire", preferred_username="saint-nazaire",
        public_key_id=actor.key_id, public_key_pem=actor.public_pem)
    Follow.objects.create(commune=ap_commune, remote_actor=remote,
                          direction=FollowDirection.OUTBOUND, state=FollowState.ACCEPTED)
    return actor


@pytest.fixture
def follower(peer, ap_commune):  # noqa: F811 (the imported fixtures)
    """A person on the fake peer (alice) who follows Donges, accepted: its RemoteActor."""
    actor = peer.add_actor("alice")
    remote = RemoteActor.objects.create(url=actor.url, domain=peer.netloc,
                                        inbox=f"{actor.url}/inbox",
                                        public_key_pem=actor.public_pem)
    Follow.objects.create(commune=ap_commune, remote_actor=remote,
                          direction=FollowDirection.INBOUND, state=FollowState.ACCEPTED)
    return remote


"""Remote objects belong to the actor that created them, not to its host.

Two actors of one server (two communes of one Clocher peer, both followed here): one
may not update, delete or re-create the other's objects, and its Delete of an id it
never created leaves a tombstone for itself only, which does not stop the real owner's
Create. Both the one-by-one path and the batch path (inbox_batch.py) are played.
"""

import datetime as dt

import pytest

from cms.content.models import NewsPage
from cms.readmodel.models import PublishedItem
from federation.activitypub import worker
from federation.models import Follow, FollowDirection, FollowState, InboxMessage, RemoteActor
from tests.federation.test_ap_inbound import T0, send
from tests.federation.test_ap_inbound_batch import article, held, post  # noqa: F401


@pytest.fixture
def neighbour(peer, ap_commune, followed):
    """Another actor of the same server as `followed`, also followed by Donges."""
    actor = peer.add_actor("montoir", actor_type="Organization")
    remote = RemoteActor.objects.create(
        url=actor.url, domain=peer.netloc, inbox=f"{actor.url}/inbox", name="Montoir",
        preferred_username="montoir", public_key_id=actor.key_id,
        public_key_pem=actor.public_pem)
    Follow.objects.create(commune=ap_commune, remote_actor=remote,
                          direction=FollowDirection.OUTBOUND, state=FollowState.ACCEPTED)
    return actor


def forged(owner, intruder, *, number, name, hours=1, attributed=True):
    """The owner's article as the intruder rewrites it (same id, on the same host)."""
    made = article(owner, number=number, name=name, updated=T0 + dt.timedelta(hours=hours))
    if attributed:
        made["attributedTo"] = intruder.url
    else:
        del made["attributedTo"]
    return made


def outcome(actor, number, prefix=""):
    message = InboxMessage.objects.get(activity_id=f"{actor.url}/activities/{prefix}{number}")
    return message.state, message.last_error


def titles(owner, numbers):
    pages = {page.ap_id: page.title for page in NewsPage.objects.filter(
        ap_id__in=[f"{owner.url}/news/{number}" for number in numbers])}
    items = {item.origin_url: item.title for item in PublishedItem.objects.filter(
        origin_url__in=[f"{owner.url}/news/{number}" for number in numbers])}
    return pages, items


def test_another_actor_of_the_host_cannot_change_an_object(client, followed, neighbour):
    send(client, followed, "Create", article(followed, number=1, name="Conseil"), number=1)
    before = titles(followed, [1])
    assert before[0] == {f"{followed.url}/news/1": "Conseil"}
    send(client, neighbour, "Update", forged(followed, neighbour, number=1, name="Piraté"),
         number=1)
    send(client, neighbour, "Update", forged(followed, neighbour, number=1, name="Piraté 2",
                                             hours=2, attributed=False), number=2)
    send(client, neighbour, "Create", forged(followed, neighbour, number=1, name="Piraté 3",
                                             hours=3), number=3)
    send(client, neighbour, "Delete", f"{followed.url}/news/1", number=4)
    assert titles(followed, [1]) == before
    for number in (1, 2, 3, 4):
        assert outcome(neighbour, number) == ("ignored", "ignored: not owner")
    # The owner still can.
    send(client, followed, "Update", article(followed, number=1, name="Conseil (v2)",
                                             updated=T0 + dt.timedelta(hours=4)), number=2)
    assert titles(followed, [1])[0] == {f"{followed.url}/news/1": "Conseil (v2)"}


def test_a_delete_by_another_actor_does_not_block_the_owners_create(client, followed,
                                                                   neighbour):
    send(client, neighbour, "Delete", f"{followed.url}/news/7", number=1)
    send(client, followed, "Create", article(followed, number=7, name="Marché"), number=1)
    assert titles(followed, [7])[0] == {f"{followed.url}/news/7": "Marché"}
    # The intruder's own tombstone stops nothing but the intruder.
    send(client, neighbour, "Create", forged(followed, neighbour, number=7, name="Piraté"),
         number=2)
    assert titles(followed, [7])[0] == {f"{followed.url}/news/7": "Marché"}
    # And the owner's own Delete still wins over a late Create of its own.
    send(client, followed, "Delete", f"{followed.url}/news/7", number=2)
    send(client, followed, "Create", article(followed, number=7, name="Marché"), number=3)
    assert titles(followed, [7])[0] == {}


@pytest.mark.usefixtures("held")
def test_ownership_holds_in_a_batch(client, followed, neighbour):
    owned, contested = range(1, 5), range(11, 15)
    for number in owned:
        post(client, followed, "Create", article(followed, number=number, name=f"A{number}"),
             number=number, prefix="c")
    worker.drain()
    before = titles(followed, owned)
    assert len(before[0]) == 4
    # One batch: the intruder updates and deletes the owner's objects and deletes ids the
    # owner has not created yet; then the owner creates them.
    for number in owned:
        post(client, neighbour, "Update", forged(followed, neighbour, number=number,
                                                 name="Piraté"), number=number, prefix="u")
    for number in [*owned, *contested]:
        post(client, neighbour, "Delete", f"{followed.url}/news/{number}", number=number,
             prefix="d")
    for number in contested:
        post(client, followed, "Create", article(followed, number=number, name=f"A{number}"),
             number=number, prefix="c")
    worker.drain()
    assert titles(followed, owned) == before
    assert set(titles(followed, contested)[0].values()) == {f"A{n}" for n in contested}
    for number in owned:
        assert outcome(neighbour, number, "u") == ("ignored", "ignored: not owner")
        assert outcome(neighbour, number, "d") == ("ignored", "ignored: not owner")
    for number in contested:
        assert outcome(followed, number, "c") == ("processed", "")


def test_the_migration_makes_owners_of_applied_creates_only(db):
    import importlib

    from django.apps import apps

    from federation.models import ObjectVersion

    migration = importlib.import_module("federation.migrations.0007_object_owned_per_actor")
    created = ObjectVersion.objects.create(ap_id="https://peer.example/o/1",
                                           actor_url="https://peer.example/a", version=T0)
    deleted_after_create = ObjectVersion.objects.create(
        ap_id="https://peer.example/o/2", actor_url="https://peer.example/a", version=T0,
        deleted_at=T0)
    early_tombstone = ObjectVersion.objects.create(
        ap_id="https://peer.example/o/3", actor_url="https://peer.example/b", deleted_at=T0)
    migration.owners_backfill(apps, None)
    owners = set(ObjectVersion.objects.filter(is_owner=True).values_list("pk", flat=True))
    assert owners == {created.pk, deleted_after_create.pk}
    assert early_tombstone.pk not in owners

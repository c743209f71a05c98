"""Content from a followed remote commune: stored once, with provenance, in order."""

import datetime as dt

import pytest

from cms.communes.selectors import commune_list
from cms.content.models import EventPage
from cms.readmodel.models import PublishedItem
from federation.activitypub import worker
from federation.models import (
    Follow,
    FollowDirection,
    FollowState,
    ObjectVersion,
    RemoteActor,
    SharedItem,
)
from federation.sharing import share_decide
from tests.federation.e2e.fixtures import BASE, post_signed

INBOX = "/ap/inbox"
# Relative to today: the event lies ahead (listed as upcoming), its versions behind.
T0 = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).replace(microsecond=0)
START = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(hour=13, minute=0, second=0,
                                                                 microsecond=0)
PARIS = dt.timezone(dt.timedelta(hours=1))


def event(actor, *, number=1, name="Fête du port", updated=T0, **extra):
    return {"id": f"{actor.url}/events/{number}", "type": "Event", "name": name,
            "attributedTo": actor.url, "summary": "Samedi, 14h00 · Port",
            "content": "<p>Concert</p>", "startTime": START.astimezone(PARIS).isoformat(),
            "endTime": (START + dt.timedelta(hours=4)).astimezone(PARIS).isoformat(),
            "timezone": "Europe/Paris",
            "published": T0.isoformat(), "updated": updated.isoformat(),
            "url": f"{actor.url}/events/{number}",
            "location": {"type": "Place", "name": "Base sous-marine",
                         "address": {"type": "PostalAddress", "streetAddress": "Bd de la Légion",
                                     "addressLocality": "Saint-Nazaire"},
                         "latitude": 47.27, "longitude": -2.2}, **extra}


def send(client, actor, activity_type, obj, *, number):
    activity = {"@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{actor.url}/activities/{number}", "type": activity_type,
                "actor": actor.url, "object": obj,
                "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    response = post_signed(client, actor=actor, path=INBOX, activity=activity)
    worker.drain()
    return response


def test_create_stores_a_page_with_provenance(client, followed, django_capture_on_commit_callbacks):
    assert send(client, followed, "Create", event(followed), number=1).status_code == 202
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    assert page.live and page.title == "Fête du port"
    assert page.venue_name == "Base sous-marine"
    assert page.origin_server == followed.peer.netloc
    assert page.start == START
    item = PublishedItem.objects.get(pk=page.pk)
    assert item.origin_server == followed.peer.netloc
    assert item.origin_url == f"{followed.url}/events/1"
    assert item.payload["provenance"]["origin_commune"] == "Saint-Nazaire"
    # The mirror commune is not one of this deployment's communes.
    assert [c.title for c in commune_list()] == ["Donges"]
    # Held for Donges's review: shown nowhere, its own URL included.
    assert client.get(page.url).status_code == 404
    listed = client.get("/api/events", {"page_size": 100}).json()["results"]
    assert not any(i["title"] == "Fête du port" for i in listed)
    # Once accepted, served by the resident site like a local page and listed by the API.
    with django_capture_on_commit_callbacks(execute=True):
        share_decide(share=SharedItem.objects.get(page=page), action="accept", user=None)
    html = client.get(page.url)
    assert html.status_code == 200 and "Fête du port" in html.content.decode()
    listed = client.get("/api/events", {"page_size": 100}).json()["results"]
    assert any(i["title"] == "Fête du port" and i["provenance"]["origin_server"]
               == followed.peer.netloc for i in listed)


def test_update_then_stale_update_then_delete_then_late_create(client, followed):
    send(client, followed, "Create", event(followed), number=1)
    later = T0 + dt.timedelta(hours=1)
    send(client, followed, "Update", event(followed, name="Fête du port (v2)", updated=later),
         number=2)
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    assert page.title == "Fête du port (v2)"
    # An older Update arriving late is ignored.
    send(client, followed, "Update", event(followed, name="old", updated=T0), number=3)
    page.refresh_from_db()
    assert page.title == "Fête du port (v2)"
    send(client, followed, "Delete", f"{followed.url}/events/1", number=4)
    assert not EventPage.objects.filter(ap_id=f"{followed.url}/events/1").exists()
    assert not PublishedItem.objects.filter(origin_url=f"{followed.url}/events/1").exists()
    # Neither a newer Update nor a late Create brings it back.
    send(client, followed, "Update", event(followed, updated=later + dt.timedelta(hours=1)),
         number=5)
    send(client, followed, "Create", event(followed), number=6)
    assert not EventPage.objects.filter(ap_id=f"{followed.url}/events/1").exists()


@pytest.mark.parametrize("bulk", [True, False], ids=["batch", "one-by-one"])
def test_an_edit_dated_the_second_of_the_post_is_applied(client, followed, settings, bulk):
    # GoToSocial and Mastodon date to the second: an edit made right after the post
    # carries the post's own date (seen with GoToSocial 0.19.2), and is still an edit.
    settings.FEDERATION_INBOX_BULK = bulk
    send(client, followed, "Create", event(followed), number=1)
    send(client, followed, "Update", event(followed, name="Fête du port (corrigée)"), number=2)
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    assert page.title == "Fête du port (corrigée)"
    # The post re-delivered under a new activity id does not undo the edit.
    send(client, followed, "Create", event(followed), number=3)
    page.refresh_from_db()
    assert page.title == "Fête du port (corrigée)"


def test_delete_before_create_wins(client, followed):
    send(client, followed, "Delete", f"{followed.url}/events/9", number=1)
    send(client, followed, "Create", event(followed, number=9), number=2)
    assert not EventPage.objects.filter(ap_id=f"{followed.url}/events/9").exists()
    assert ObjectVersion.objects.get(ap_id=f"{followed.url}/events/9").deleted_at is not None


def test_duplicate_delivery_stores_once(client, followed):
    first = send(client, followed, "Create", event(followed), number=1)
    again = send(client, followed, "Create", event(followed), number=1)
    assert first.status_code == again.status_code == 202
    assert again.json()["status"] == "duplicate"
    # Same object, another activity id (a peer retrying with a new id): still one page.
    send(client, followed, "Create", event(followed), number=2)
    assert EventPage.objects.filter(ap_id=f"{followed.url}/events/1").count() == 1


def test_content_from_an_unfollowed_actor_is_ignored(client, peer, ap_commune):
    stranger = peer.add_actor("stranger")
    send(client, stranger, "Create", event(stranger), number=1)
    assert not EventPage.objects.filter(ap_id=f"{stranger.url}/events/1").exists()


def test_script_and_handlers_are_removed(client, followed):
    hostile = event(followed, name="<b>Fête</b><script>alert(1)</script>",
                    content='<p onclick="steal()">Hi<script>alert(1)</script>'
                            '<img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a></p>')
    send(client, followed, "Create", hostile, number=1)
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    assert page.title == "Fête"
    body = str(page.body)
    for needle in ("<script", "onclick", "onerror", "javascript:", "<img"):
        assert needle not in body
    assert "Hi" in body


def test_announce_of_own_object_and_deep_chains_are_ignored(client, followed, settings):
    own = {"id": f"{followed.url}/announces/1", "type": "Announce", "actor": followed.url,
           "object": f"{BASE}/ap/objects/1"}
    send(client, followed, "Announce", own["object"], number=1)
    nested = f"{BASE}/ap/objects/1"
    for depth in range(settings.FEDERATION_HOP_LIMIT + 1):
        nested = {"id": f"{followed.url}/announces/n{depth}", "type": "Announce",
                  "actor": followed.url, "object": nested}
    send(client, followed, "Announce", nested, number=2)
    from federation.models import InboxMessage

    outcomes = sorted(InboxMessage.objects.values_list("last_error", flat=True))
    assert outcomes == ["ignored: hop limit", "ignored: own object"]


def test_received_content_goes_through_the_receivers_acceptance_rules(client, followed):
    from federation.models import AcceptanceRule, SharedItem

    send(client, followed, "Create", event(followed), number=1)
    held = SharedItem.objects.get(page__eventpage__ap_id=f"{followed.url}/events/1")
    # No rule: the commune's default, held for review by its communicators.
    assert held.state == "pending" and held.source_server == followed.peer.netloc
    assert held.receiver.slug == "donges" and held.origin_commune.origin_server
    receiver = held.receiver
    AcceptanceRule.objects.create(receiver=receiver, source_server=followed.peer.netloc,
                                  decision="accept")
    send(client, followed, "Create", event(followed, number=2), number=2)
    accepted = SharedItem.objects.get(page__eventpage__ap_id=f"{followed.url}/events/2")
    assert accepted.state == "accepted"


def test_received_pages_are_never_federated_again(client, followed):
    """One writer per object: a remote page never leaves this server (no A → B → A)."""
    from federation.models import OutboxActivity

    send(client, followed, "Create", event(followed), number=1)
    mirror = RemoteActor.objects.get(url=followed.url).mirror
    # Even if something followed the mirror, its pages are not ours to send.
    Follow.objects.create(commune=mirror, remote_actor=RemoteActor.objects.get(url=followed.url),
                          direction=FollowDirection.INBOUND, state=FollowState.ACCEPTED)
    send(client, followed, "Update",
         event(followed, name="v2", updated=T0 + dt.timedelta(hours=1)), number=2)
    assert EventPage.objects.get(ap_id=f"{followed.url}/events/1").title == "v2"
    assert not OutboxActivity.objects.exists()


def test_a_failing_message_is_retried_then_applied(client, followed, monkeypatch):
    from federation.activitypub import mirror
    from federation.models import InboxMessage

    real = mirror.object_store
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return real(**kwargs)

    monkeypatch.setattr(mirror, "object_store", flaky)
    send(client, followed, "Create", event(followed), number=1)
    message = InboxMessage.objects.get()
    assert message.state == "failed" and "hiccup" in message.last_error
    InboxMessage.objects.update(next_attempt_at=message.received_at)
    worker.drain()
    message.refresh_from_db()
    assert message.state == "processed"
    assert EventPage.objects.filter(ap_id=f"{followed.url}/events/1").count() == 1


def test_received_pages_are_read_only_in_the_admin(client, followed):
    from django.contrib.auth import get_user_model

    send(client, followed, "Create", event(followed), number=1)
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "x")
    client.force_login(admin)
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 302
    assert client.post(f"/admin/pages/{page.pk}/delete/").status_code == 302
    assert EventPage.objects.filter(pk=page.pk).exists()


def test_update_of_the_actor_is_refetched_from_its_origin(client, followed):
    document = followed.document(actor_type="Organization")
    document["name"] = "Ville de Saint-Nazaire"
    followed.peer.serve_json("/users/saint-nazaire", document)
    # The embedded copy claims another name: the origin's document wins.
    embedded = {**document, "name": "Forged name"}
    send(client, followed, "Update", embedded, number=1)
    assert RemoteActor.objects.get(url=followed.url).name == "Ville de Saint-Nazaire"


def directory_entry(actor, *, name, updated=T0, attributed=True):
    document = {"id": f"{actor.url}/directory/7", "type": "Organization", "name": name,
                "kind": "producer",
                "summary": "Produits de la ferme", "published": T0.isoformat(),
                "updated": updated.isoformat(), "url": f"{actor.url}/directory/7"}
    if attributed:
        document["attributedTo"] = actor.url
    return document


def test_a_received_directory_entry_is_updated_not_taken_for_an_actor(client, followed):
    from cms.content.models import DirectoryEntryPage

    send(client, followed, "Create", directory_entry(followed, name="Ferme du Brivet"), number=1)
    page = DirectoryEntryPage.objects.get(ap_id=f"{followed.url}/directory/7")
    assert (page.title, page.kind) == ("Ferme du Brivet", "producer")
    send(client, followed, "Update", directory_entry(
        followed, name="Ferme du Brivet (vente directe)", updated=T0 + dt.timedelta(hours=1)),
        number=2)
    page.refresh_from_db()
    assert page.title == "Ferme du Brivet (vente directe)"
    # The actor's own record is untouched (no refetch happened: its name is the fixture's).
    assert RemoteActor.objects.get(url=followed.url).name == "Saint-Nazaire"


def test_an_organization_without_author_is_not_stored_as_a_directory_entry(client, followed):
    from cms.content.models import DirectoryEntryPage

    # Another actor's document (same host, no attributedTo) must not become a page.
    send(client, followed, "Create", directory_entry(followed, name="Autre acteur",
                                                     attributed=False), number=1)
    send(client, followed, "Update", directory_entry(followed, name="Autre acteur",
                                                     attributed=False), number=2)
    assert not DirectoryEntryPage.objects.filter(ap_id=f"{followed.url}/directory/7").exists()


def test_practical_information_from_a_clocher_peer_stays_practical_information(client,
                                                                               followed):
    from cms.content.models import InfoPage, NewsPage

    info = {"id": f"{followed.url}/objects/9", "type": "Article", "clocherKind": "info",
            "name": "Horaires de la mairie", "attributedTo": followed.url,
            "summary": "Ouverte le samedi matin.", "content": "<p>Du lundi au samedi.</p>",
            "published": T0.isoformat(), "url": f"{followed.url}/objects/9"}
    assert send(client, followed, "Create", info, number=9).status_code == 202
    page = InfoPage.objects.get(ap_id=info["id"])
    assert page.summary == "Ouverte le samedi matin."
    assert PublishedItem.objects.get(pk=page.pk).kind == "info"
    # Without the marker (Mastodon, GoToSocial…) an Article is news, as before.
    article = {**info, "id": f"{followed.url}/objects/10", "clocherKind": None}
    send(client, followed, "Create", article, number=10)
    assert NewsPage.objects.filter(ap_id=article["id"]).exists()


def test_a_remote_summary_is_text_not_markup(client, followed):
    from cms.content.models import AlertPage

    note = {"id": f"{followed.url}/notes/1", "type": "Note", "attributedTo": followed.url,
            "name": "Alerte", "summary": "&lt;img src=x onerror=alert(1)&gt;",
            "published": T0.isoformat()}
    send(client, followed, "Create", note, number=11)
    message = AlertPage.objects.get(ap_id=note["id"]).message
    assert "<img" not in message and "&lt;img" in message

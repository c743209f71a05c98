"""What Mastodon-compatible clients show of a commune's items and profile (issue 25):
every kind of the registry, title, lead and link in `content`, no content warning,
no `updated` on a Create, events with their dates and place, the commune's avatar."""

import html
import io

import pytest
from django.utils import timezone
from PIL import Image

from cms.content.kinds import kinds
from cms.content.models import (
    AlertIndexPage,
    DirectoryIndexPage,
    EventIndexPage,
    InfoIndexPage,
    NewsIndexPage,
)
from federation.activitypub import outbox
from federation.activitypub.outbound import commune_to_ap, page_to_ap
from federation.activitypub.wire import parse_object
from federation.models import Follow, FollowDirection, FollowState, OutboxActivity, RemoteActor
from tests.factories import (
    AlertPageFactory,
    DirectoryEntryPageFactory,
    EventPageFactory,
    InfoPageFactory,
    NewsPageFactory,
    section,
)

PAGES = {
    "news": (NewsIndexPage, NewsPageFactory, {"lead": "Le chapeau."}),
    "event": (EventIndexPage, EventPageFactory, {"summary": "Le chapeau."}),
    "alert": (AlertIndexPage, AlertPageFactory, {"message": "<p>Le chapeau.</p>"}),
    "info": (InfoIndexPage, InfoPageFactory, {"summary": "Le chapeau."}),
    "directory": (DirectoryIndexPage, DirectoryEntryPageFactory,
                  {"description": "<p>Le chapeau.</p>"}),
}


def add(commune, kind: str, **values):
    index, factory, defaults = PAGES[kind]
    page = factory.build(**{**defaults, **values})
    section(commune, index).add_child(instance=page)
    return page


def test_the_project_kinds_are_all_covered():
    assert set(PAGES) <= {kind.name for kind in kinds()}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_title_lead_and_link_are_shown_and_nothing_hides_them(ap_commune, kind):
    page = add(ap_commune, kind, title="Fête <du> pain & vin")
    document = page_to_ap(page)
    content = document["content"]
    assert content.startswith("<p><strong>Fête &lt;du&gt; pain &amp; vin</strong></p>")
    assert "Le chapeau." in content
    assert f'<a href="{page.get_full_url()}">' in content
    assert "summary" not in document  # a summary is a content warning in Mastodon
    # GoToSocial shows a name as one too: only events keep theirs (Mobilizon needs it).
    assert ("name" in document) == (document["type"] == "Event")
    assert None not in document.values()
    # Another Clocher server reads the item as it is, not the text made for clients.
    received = parse_object(document)
    assert received.name == "Fête pain & vin"  # names are plain text: tags dropped
    assert "<strong>" not in received.content


def test_an_event_has_its_times_and_place_never_null_coordinates(ap_commune):
    page = add(ap_commune, "event", address="Place Armand Morvan", latitude=None,
               longitude=None)
    place = page_to_ap(page)["location"]
    assert place["type"] == "Place" and place["address"]["streetAddress"] == "Place Armand Morvan"
    assert "latitude" not in place and "longitude" not in place
    page.latitude, page.longitude = 47.3205, -2.0744
    document = page_to_ap(page)
    assert (document["location"]["latitude"], document["location"]["longitude"]) == (
        47.3205, -2.0744)
    assert document["startTime"] == page.start.isoformat()
    assert document["endTime"] == page.end.isoformat()


def test_a_create_carries_no_updated_an_update_does(ap_commune, peer):
    follower = peer.add_actor("alice")
    remote = RemoteActor.objects.create(url=follower.url, domain=peer.netloc,
                                        inbox=f"{follower.url}/inbox")
    Follow.objects.create(commune=ap_commune, remote_actor=remote,
                          direction=FollowDirection.INBOUND, state=FollowState.ACCEPTED)
    page = add(ap_commune, "news")
    page.first_published_at = page.last_published_at = timezone.now()
    assert "updated" in page_to_ap(page)
    outbox.page_publish_record(page=page)
    outbox.page_publish_record(page=page)
    create, update = OutboxActivity.objects.filter(
        object_id__endswith=f"/ap/objects/{page.pk}").order_by("pk")
    assert create.activity_type == "Create" and "updated" not in create.activity["object"]
    assert update.activity_type == "Update" and "updated" in update.activity["object"]


def test_the_commune_has_an_avatar_a_header_and_a_link_to_its_site(client, ap_commune):
    actor = commune_to_ap(ap_commune)
    for key, size in (("icon", (400, 400)), ("image", (1500, 500))):
        assert actor[key]["type"] == "Image"
        response = client.get(actor[key]["url"].removeprefix("http://testserver"))
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(response.content)).size == size
    site = actor["attachment"][0]
    assert site["type"] == "PropertyValue"
    assert ap_commune.get_full_url() in html.unescape(site["value"])
    assert actor["url"] == ap_commune.get_full_url()


def test_the_image_goes_as_an_attachment(ap_commune):
    from wagtail_factories import ImageFactory

    image = ImageFactory(title="La médiathèque")
    document = page_to_ap(add(ap_commune, "news", image=image))
    attachment = document["attachment"][0]
    assert attachment["type"] == "Image" and attachment["name"] == "La médiathèque"
    assert attachment["url"].startswith(("http://", "https://"))
    assert attachment["mediaType"] in ("image/jpeg", "image/png", "image/webp")
    assert "attachment" not in page_to_ap(add(ap_commune, "news", image=None))

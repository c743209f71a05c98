"""The commune's outbox: its public items in pages, so a new follower sees them."""

import datetime as dt

from django.utils import timezone

from cms.content.models import EventIndexPage, NewsIndexPage
from federation.activitypub.backfill import PAGE_SIZE
from tests.factories import EventPageFactory, NewsPageFactory, section

OUTBOX = "/ap/communes/donges/outbox"


def publish(commune, index, factory, *, age_hours: int, **values):
    page = factory.build(**values)
    section(commune, index).add_child(instance=page)
    when = timezone.now() - dt.timedelta(hours=age_hours)
    page.first_published_at = page.last_published_at = when
    page.save()
    return page


def get(client, path):
    return client.get(path, HTTP_ACCEPT="application/activity+json")


def test_the_outbox_pages_the_public_items_newest_first(client, ap_commune):
    pages = [publish(ap_commune, NewsIndexPage, NewsPageFactory, age_hours=hours,
                     title=f"Nouvelle {hours}") for hours in range(1, PAGE_SIZE + 3)]
    event = publish(ap_commune, EventIndexPage, EventPageFactory, age_hours=0, title="Bal")
    draft = publish(ap_commune, NewsIndexPage, NewsPageFactory, age_hours=0, title="Brouillon")
    draft.live = False
    draft.save()
    collection = get(client, OUTBOX).json()
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == len(pages) + 1
    first = get(client, collection["first"].removeprefix("http://testserver")).json()
    assert first["type"] == "OrderedCollectionPage" and first["partOf"] == collection["id"]
    names = [item["object"]["clocherName"] for item in first["orderedItems"]]
    assert names[:3] == ["Bal", "Nouvelle 1", "Nouvelle 2"] and len(names) == PAGE_SIZE
    assert "Brouillon" not in names
    create = first["orderedItems"][0]
    assert create["type"] == "Create" and create["actor"].endswith("/ap/communes/donges")
    assert create["id"] == f"http://testserver/ap/objects/{event.pk}#create"
    assert create["object"]["type"] == "Event" and "updated" not in create["object"]
    second = get(client, first["next"].removeprefix("http://testserver")).json()
    assert [item["object"]["clocherName"] for item in second["orderedItems"]] == [
        f"Nouvelle {hours}" for hours in range(PAGE_SIZE, PAGE_SIZE + 3)]
    assert "next" not in second and second["prev"].endswith("?page=1")


def test_a_bad_page_number_is_a_400(client, ap_commune):
    for bad in ("0", "-1", "abc", "99999999999"):
        response = get(client, f"{OUTBOX}?page={bad}")
        assert response.status_code == 400 and "error" in response.json()
    assert get(client, f"{OUTBOX}?page=7").json()["orderedItems"] == []

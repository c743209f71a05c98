"""Audience stored once: every audience state × every public surface.

Donges shares its news and events with Montoir-de-Bretagne (5.8 km away, in its
neighbourhood), which reviews them by hand; each test puts one item in one state in
Montoir and reads one of Montoir's public places. Shown: accepted and featured; never
shown: pending, hidden, declined, even where Montoir lists its neighbours' own items
(the agenda, the events around). Donges' own places show it whatever Montoir decided.
A remote item no commune here accepted is shown nowhere, its own URL included.
"""

import json
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from cms.content.models import EventIndexPage, NewsIndexPage
from cms.readmodel.models import Audience
from federation.models import AcceptanceRule, SharedItem
from federation.sharing import share_decide
from tests.factories import changes_numbered, make_event, make_news, publish, section, worker_pass
from tests.federation.conftest import sharing_policy
from tests.federation.test_ap_inbound import event as remote_event
from tests.federation.test_ap_inbound import send

SHOWN = {"accepted", "featured"}
ACTIONS = {"accepted": ["accept"], "featured": ["accept", "feature"], "pending": [],
           "hidden": ["hide"], "declined": ["decline"]}
STATES = list(ACTIONS)


@pytest.fixture
def shared(commune, neighbour_commune):
    """A news item and an event of Donges, shared with Montoir and held for review."""
    sharing_policy(commune, kinds=("news", "event"))
    news = publish(make_news(commune, title="Kermesse des écoles"))
    event = publish(make_event(commune, title="Bal du port"))
    return news, event


def _decide(page, receiver, state):
    share = SharedItem.objects.get(page=page, receiver=receiver)
    assert share.state == "pending"
    for action in ACTIONS[state]:
        share = share_decide(share=share, action=action, user=None)
    assert Audience.objects.get(translation_key=page.translation_key,
                                commune=receiver).state == state
    worker_pass()  # search index, page cache
    cache.clear()


def _get(client, url, params=None):
    """GET a path, or a page's full URL on its commune's own host."""
    parts = urlsplit(url)
    return client.get(parts.path, params or {}, HTTP_HOST=parts.netloc or "testserver")


def _text(client, url, **params) -> str:
    response = _get(client, url, params)
    assert response.status_code == 200, (url, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


# Montoir's public places, each: (client, Montoir, Donges' news, Donges' event) -> text.
MONTOIR_SURFACES = {
    "home": lambda c, m, news, event: _text(c, m.full_url),
    "news list": lambda c, m, news, event: _text(c, section(m, NewsIndexPage).full_url),
    "agenda": lambda c, m, news, event: _text(c, section(m, EventIndexPage).full_url),
    "api news": lambda c, m, news, event: _text(c, "/api/news", commune=m.insee_code),
    "api events": lambda c, m, news, event: _text(c, "/api/events", commune=m.insee_code),
    "api events around": lambda c, m, news, event: _text(c, "/api/events",
                                                         around=m.insee_code),
    "news feed": lambda c, m, news, event: _text(c, f"/api/feeds/{m.insee_code}/news.rss"),
    "events feed": lambda c, m, news, event: _text(
        c, f"/api/feeds/{m.insee_code}/neighbourhood/events.ics"),
    "search": lambda c, m, news, event: _text(c, "/api/search", q="kermesse bal",
                                              commune=m.insee_code),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("surface", list(MONTOIR_SURFACES))
def test_a_receiving_commune_shows_only_what_it_accepted(client, shared, neighbour_commune,
                                                         state, surface):
    news, event = shared
    for page in shared:
        _decide(page, neighbour_commune, state)
    text = MONTOIR_SURFACES[surface](client, neighbour_commune, news, event)
    # Each surface lists news, events or both; what it lists follows the state.
    titles = {"Kermesse des écoles", "Bal du port"} & _titles_listed_by(surface)
    for title in titles:
        assert (title in text) is (state in SHOWN), (surface, state, title)


def _titles_listed_by(surface: str) -> set[str]:
    if surface in {"news list", "api news", "news feed"}:
        return {"Kermesse des écoles"}
    if surface in {"agenda", "api events", "api events around", "events feed"}:
        return {"Bal du port"}
    return {"Kermesse des écoles", "Bal du port"}


@pytest.mark.parametrize("state", STATES)
def test_the_origin_shows_its_own_items_whatever_receivers_decide(client, shared, commune,
                                                                  neighbour_commune, state):
    news, event = shared
    for page in shared:
        _decide(page, neighbour_commune, state)
    assert "Kermesse des écoles" in _text(client, commune.full_url)
    assert "Bal du port" in _text(client, section(commune, EventIndexPage).full_url)
    assert "Kermesse des écoles" in _text(client, "/api/news", commune=commune.insee_code)
    for page in shared:
        assert _get(client, page.full_url).status_code == 200
    assert client.get(f"/api/news/{news.pk}").status_code == 200


def test_featuring_puts_a_shared_item_first_on_the_receivers_news(client, shared,
                                                                 neighbour_commune):
    news, _event = shared
    _decide(news, neighbour_commune, "featured")
    publish(make_news(neighbour_commune, title="Conseil municipal"))
    cache.clear()
    text = _text(client, section(neighbour_commune, NewsIndexPage).full_url)
    assert text.index("Kermesse des écoles") < text.index("Conseil municipal")


# --- remote items: shown only once a commune here accepts them -------------------------


REMOTE_SURFACES = {
    "own URL": lambda c, page: _get(c, page.full_url),
    "api list": lambda c, page: c.get("/api/events", {"page_size": 100}),
    "api detail": lambda c, page: c.get(f"/api/events/{page.pk}"),
    "pages api list": lambda c, page: c.get("/api/v2/pages/", {"type": "content.EventPage"}),
    "pages api detail": lambda c, page: c.get(f"/api/v2/pages/{page.pk}/"),
    "search": lambda c, page: c.get("/api/search", {"q": "fête du port", "scope": "all"}),
    "change feed": lambda c, page: c.get("/api/changes"),
    "receiver's agenda": lambda c, page: _get(
        c, section(page.receiver, EventIndexPage).full_url),
}


def _shows(response, page) -> bool:
    if response.status_code == 404:
        return False
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("application/json"):
        return "Fête du port" in json.dumps(response.json(), ensure_ascii=False)
    return "Fête du port" in response.content.decode()


@pytest.mark.parametrize("surface", list(REMOTE_SURFACES))
@pytest.mark.parametrize("accepted", [False, True], ids=["pending", "accepted"])
def test_a_remote_item_is_shown_only_once_accepted(client, followed, ap_commune, surface,
                                                   accepted):
    from cms.content.models import EventPage

    if accepted:
        AcceptanceRule.objects.create(receiver=ap_commune, source_server=followed.peer.netloc,
                                      decision="accept")
    send(client, followed, "Create", remote_event(followed), number=1)
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    assert SharedItem.objects.get(page=page).state == ("accepted" if accepted else "pending")
    worker_pass()
    changes_numbered()
    cache.clear()
    page.receiver = ap_commune
    assert _shows(REMOTE_SURFACES[surface](client, page), page) is accepted, surface


def test_accepting_a_held_remote_item_publishes_it_and_hiding_withdraws_it(client, followed,
                                                                           ap_commune):
    from cms.content.models import EventPage

    send(client, followed, "Create", remote_event(followed), number=1)
    page = EventPage.objects.get(ap_id=f"{followed.url}/events/1")
    assert _get(client, page.full_url).status_code == 404
    share = share_decide(share=SharedItem.objects.get(page=page), action="accept", user=None)
    worker_pass()
    cache.clear()
    assert _get(client, page.full_url).status_code == 200
    assert client.get(f"/api/events/{page.pk}").status_code == 200
    share_decide(share=share, action="hide", user=None)
    worker_pass()
    changes_numbered()
    cache.clear()
    assert _get(client, page.full_url).status_code == 404
    assert client.get(f"/api/events/{page.pk}").status_code == 404
    # The change feed tells mirrors it left.
    entries = [entry for entry in client.get("/api/changes").json()["results"]
               if entry["id"] == page.pk]
    assert [entry["action"] for entry in entries] == ["updated", "unpublished"]
    assert entries[-1]["item"] is None

"""The resident site reads through the API's read model, with a fixed number of queries.

Each page is rendered twice: with the demo content, then with more items in every list
it shows. The query count must not move (an N+1 on a card, an image, a URL or the "via"
of a neighbour's item would add queries per item) and stays under a ceiling.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.content.models import (
    AlertIndexPage,
    DirectoryIndexPage,
    DirectoryKind,
    EventIndexPage,
    InfoIndexPage,
    NewsIndexPage,
)
from cms.readmodel import listings as selectors
from cms.readmodel import microcache
from tests.factories import (
    AlertPageFactory,
    DirectoryEntryPageFactory,
    EventPageFactory,
    InfoPageFactory,
    NewsPageFactory,
    section,
)

from .conftest import HOST

pytestmark = pytest.mark.django_db

# Ceilings: the counts measured with the demo content on SQLite (home 18, agenda 19,
# month 18, producers 17, directory 15), plus two; Wagtail's own routing (site, page,
# ancestors, view restrictions), the menu and the translations account for about nine.
# Home and agenda: 16 each since commune_list joins the source locale instead of
# reading it first (issue 6), plus two. The sections (agenda 15, month 14, producers and
# directory 13) take their commune from the route, not from an ancestor query (issue 6).
# Issue 29: every page reads the commune's identity (one query); the home's news and
# event cards their categories' pictograms (one prefetch each).
MAX_QUERIES = {"/": 19, "/agenda/": 17, "/agenda/?vue=mois": 16,
               "/annuaire/?vue=producteurs": 15, "/annuaire/": 15}


@pytest.fixture(autouse=True)
def _fresh_microcache():
    # The API's per-process micro-cache keeps rows by id; ids are reused between tests.
    microcache.clear()
    yield
    microcache.clear()


def _queries(client, path: str) -> int:
    client.get(path, HTTP_HOST=HOST)  # warm: content types, site root paths
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def _more_of_everything(commune, neighbour_commune, *, count: int) -> None:
    now = timezone.now()
    for number in range(count):
        for home in (commune, neighbour_commune):
            EventPageFactory(parent=section(home, EventIndexPage),
                             title=f"Rendez-vous {number} {home.title}",
                             start=now + dt.timedelta(days=1, hours=number),
                             latitude=47.3, longitude=-2.1)
            DirectoryEntryPageFactory(
                parent=section(home, DirectoryIndexPage), title=f"Ferme {number}",
                kind=DirectoryKind.PRODUCER, latitude=47.3, longitude=-2.1,
                products=[("product", {"name": "Pommes", "months": ["9"]})])
        NewsPageFactory(parent=section(commune, NewsIndexPage), title=f"Nouvelle {number}")
        InfoPageFactory(parent=section(commune, InfoIndexPage), title=f"Info {number}")
        AlertPageFactory(parent=section(commune, AlertIndexPage), title=f"Alerte {number}")


@pytest.mark.parametrize("path", list(MAX_QUERIES))
def test_queries_do_not_grow_with_the_items_listed(client, site_content, commune,
                                                   neighbour_commune, path):
    before = _queries(client, path)
    _more_of_everything(commune, neighbour_commune, count=5)
    after = _queries(client, path)
    assert after == before, f"{path}: {before} queries, then {after} with more items"
    assert after <= MAX_QUERIES[path], f"{path}: {after} queries"


def test_agenda_lists_what_the_api_lists(client, site_content, commune, neighbour_commune):
    _more_of_everything(commune, neighbour_commune, count=3)
    around = selectors.neighbourhood_communes(commune=commune)
    listed = [event.pk for event in selectors.event_list_filtered(communes=around)]
    api = client.get("/api/events?around=44052&radius_km=10&page_size=100").json()
    assert listed == [item["id"] for item in api["results"]]
    assert len(listed) == 3 + 2 * 3  # the demo's three upcoming events, and six more


def test_agenda_pages_count_and_slices(site_content, commune, neighbour_commune):
    _more_of_everything(commune, neighbour_commune, count=12)
    around = selectors.neighbourhood_communes(commune=commune)
    listing = selectors.event_list_filtered(communes=around)
    everything = [event.pk for event in listing]
    assert listing.count() == len(everything) == 3 + 2 * 12
    assert [event.pk for event in listing[20:40]] == everything[20:]
    assert listing[3].pk == everything[3]
    assert listing[100:120] == []
    starts = [event.start for event in listing]
    assert starts == sorted(starts)
    with pytest.raises(IndexError):
        listing[200]  # noqa: B018 (the lookup is what is tested)


def test_agenda_page_beyond_the_last_shows_the_last(client, site_content, commune,
                                                    neighbour_commune):
    _more_of_everything(commune, neighbour_commune, count=12)
    html = client.get("/agenda/?page=99", HTTP_HOST=HOST).content.decode()
    assert "27 événements" in html
    assert "Rendez-vous 11" in html  # the soonest are on page 1, the latest on page 2


def test_agenda_and_home_show_an_event_shared_from_beyond_the_neighbourhood(
        client, site_content, commune):
    """A share accepted by Donges (federation/) is in the API's list, hence on the site."""
    from federation.models import AcceptanceRule, SharingPolicy
    from tests.factories import make_commune

    far = make_commune(insee_code="44069", name="Guérande", postcodes=["44350"],
                       latitude=47.32833, longitude=-2.42917, epci_code="244400586",
                       epci_name="Cap Atlantique", department_code="44")
    policy = SharingPolicy.objects.create(commune=far, kinds=["event"], radius_km=None)
    policy.named_communes.set([commune])
    AcceptanceRule.objects.create(receiver=commune, source_commune=far, decision="accept")
    event = EventPageFactory(parent=section(far, EventIndexPage), title="Fête du sel",
                             start=timezone.now() + dt.timedelta(hours=30))
    event.save_revision().publish()  # page_published: shared, then accepted by the rule
    for path in ("/agenda/", "/"):
        html = client.get(path, HTTP_HOST=HOST).content.decode()
        assert "Fête du sel" in html and 'card__commune">Guérande<' in html, path

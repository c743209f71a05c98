import pytest
from wagtail.models import Site

from cms.communes.models import CommuneHomePage
from cms.communes.services import CommuneData, commune_upsert
from cms.content.models import EventIndexPage, NewsIndexPage

pytestmark = pytest.mark.django_db


def test_commune_is_a_site_with_its_sections(commune):
    site = Site.objects.get(root_page=commune)
    assert site.hostname == "donges.localhost"
    assert NewsIndexPage.objects.child_of(commune).count() == 1
    assert EventIndexPage.objects.child_of(commune).count() == 1
    assert commune.get_children().count() == 6  # five kinds' sections, tests/kinds_app's


def test_upsert_is_idempotent_and_updates_official_data(commune):
    data = CommuneData(
        insee_code="44052", name="Donges", population=8300, postcodes=["44480"],
        department_code="44", department_name="Loire-Atlantique", epci_code="244400644",
        epci_name="CARENE", latitude=47.31824, longitude=-2.07538,
    )
    page, created = commune_upsert(data=data)
    again, created_again = commune_upsert(data=data)
    assert (created, created_again) == (False, False)
    assert page.pk == again.pk == commune.pk
    assert CommuneHomePage.objects.get(pk=commune.pk).population == 8300
    assert Site.objects.filter(root_page=commune).count() == 1


def test_homonyms_get_distinct_slugs(db):
    first, _ = commune_upsert(data=CommuneData(insee_code="44184", name="Saint-Nazaire",
                                               department_code="44"))
    second, _ = commune_upsert(data=CommuneData(insee_code="30302", name="Saint-Nazaire",
                                                department_code="30"))
    assert first.slug == "saint-nazaire"
    assert second.slug == "saint-nazaire-30302"


def test_commune_home_lists_neighbours_events_with_attribution(client, commune, neighbour_commune):
    from tests.factories import EventPageFactory, section

    EventPageFactory(parent=section(neighbour_commune, EventIndexPage), title="Vide-grenier")
    response = client.get("/", HTTP_HOST="donges.localhost")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vide-grenier" in html
    # The neighbour's name first on its card (frontend/templates/includes/event_card.html).
    assert '<strong class="card__commune">Montoir-de-Bretagne</strong>' in html


def test_commune_home_attribution_costs_no_query_per_event(
    client, commune, neighbour_commune
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EventPageFactory, section

    agenda = section(neighbour_commune, EventIndexPage)
    EventPageFactory(parent=agenda, title="Vide-grenier")
    with CaptureQueriesContext(connection) as one_event:
        client.get("/", HTTP_HOST="donges.localhost")
    for number in range(5):
        EventPageFactory(parent=agenda, title=f"Concert {number}")
    with CaptureQueriesContext(connection) as six_events:
        html = client.get("/", HTTP_HOST="donges.localhost").content.decode()
    assert html.count('<strong class="card__commune">Montoir-de-Bretagne</strong>') == 6
    assert len(six_events) == len(one_event)


@pytest.mark.parametrize("lookup", ["44052\x00", "44 052", "", "donges;--", "x" * 101])
def test_commune_get_names_no_commune_for_malformed_lookups(commune, lookup):
    from cms.communes.selectors import commune_get

    assert commune_get(insee_code_or_slug="44052") == commune
    assert commune_get(insee_code_or_slug="donges") == commune
    assert commune_get(insee_code_or_slug=lookup) is None


def test_a_commune_created_under_another_language_gets_french_sections(db):
    from django.utils import translation

    from cms.communes.services import commune_upsert
    from cms.content.models import AlertIndexPage

    data = CommuneData(
        insee_code="44103", name="Montoir-de-Bretagne", population=7000, postcodes=["44550"],
        department_code="44", department_name="Loire-Atlantique", epci_code="244400644",
        epci_name="CARENE", latitude=47.33, longitude=-2.151,
    )
    # An administrator browsing the admin in English creates it.
    with translation.override("en"):
        montoir, created = commune_upsert(data=data)
    assert created
    news = NewsIndexPage.objects.child_of(montoir).get()
    assert (news.title, news.slug) == ("Actualités", "actualites")
    assert AlertIndexPage.objects.child_of(montoir).get().slug == "alertes"

"""The resident site's pages: status, content, filters, SEO, no server error on bad input."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cms.content.models import EventIndexPage
from tests.factories import EventPageFactory, section

from .conftest import HOST

pytestmark = pytest.mark.django_db


def get(client, path, **extra):
    return client.get(path, HTTP_HOST=HOST, **extra)


def test_commune_home_shows_alert_news_and_neighbours_events(client, site_content):
    response = get(client, "/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    # Urgent alert first, before the page's heading.
    assert html.index("Coupure d&#x27;eau") < html.index("<h1>Donges</h1>")
    assert "Travaux rue de la Gare" in html
    assert "Concert à l&#x27;église" in html
    assert "Bal du port" in html and 'card__commune">Montoir-de-Bretagne<' in html
    assert "Club de foot" in html and "Horaires de la mairie" in html
    assert '<link rel="canonical" href="http://donges.localhost/">' in html
    # Landmarks and one h1.
    assert html.count("<h1") == 1
    for landmark in ('<header class="site-header">', '<main id="main"', "<footer",
                     'role="search"'):
        assert landmark in html


def test_commune_under_portal_prefix(client, site_content):
    response = client.get("/donges/")
    assert response.status_code == 200
    assert "Bal du port" in response.content.decode()


def test_agenda_lists_neighbourhood_and_filters_by_category(client, site_content):
    html = get(client, "/agenda/").content.decode()
    assert "Concert à l&#x27;église" in html and "Bal du port" in html
    assert "/api/feeds/44052/neighbourhood/events.ics" in html
    filtered = get(client, "/agenda/?categorie=marche").content.decode()
    assert "Marché du samedi" in filtered
    assert "Concert à l&#x27;église" not in filtered
    assert "/api/feeds/44052/neighbourhood/events.ics?category=marche" in filtered


def test_agenda_filters_by_commune_and_date(client, site_content):
    only_montoir = get(client, "/agenda/?lieu=44103").content.decode()
    assert "Bal du port" in only_montoir and "Marché du samedi" not in only_montoir
    assert "/api/feeds/44103/events.ics" in only_montoir
    today = get(client, "/agenda/?quand=aujourdhui").content.decode()
    assert "Bal du port" not in today


def test_agenda_around_me_radius(client, site_content):
    # 1 km around Donges' church: Donges' events, not Montoir's (6 km away).
    html = get(client, "/agenda/?lat=47.318&lon=-2.075&rayon=5").content.decode()
    assert "Concert à l&#x27;église" in html
    assert "Bal du port" not in html


def test_agenda_month_view(client, site_content):
    start = site_content["own_event"].start.astimezone(timezone.get_current_timezone())
    html = get(client, f"/agenda/?vue=mois&mois={start:%Y-%m}").content.decode()
    assert '<table class="month"' in html
    assert "Concert à l&#x27;église" in html


@pytest.mark.parametrize("query", [
    # A 13th month and a 31 February of this year; the first day of year 1.
    f"vue=mois&mois={timezone.localdate():%Y}-13", "mois=abcd&vue=mois",
    f"du={timezone.localdate():%Y}-02-31", "du=0001-01-01",
    "rayon=-4", "rayon=abc", "lat=95&lon=2", "lat=1", "lat=nan&lon=nan", "categorie=nope",
    "lieu=99999", "page=999", "page=-1", "quand=hier", "vue=autre",
])
def test_agenda_bad_filters_never_fail(client, site_content, query):
    response = get(client, f"/agenda/?{query}")
    assert response.status_code == 200


def test_event_page_has_ics_jsonld_and_facts(client, site_content):
    event = site_content["own_event"]
    html = get(client, event.url).content.decode()
    assert f"/agenda/evenement-{event.pk}.ics" in html
    assert '"@type": "Event"' in html or '"@type":"Event"' in html
    assert "Église Saint-Martin" in html
    ics = get(client, f"/agenda/evenement-{event.pk}.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Concert à l'église" in body
    assert get(client, "/agenda/evenement-999999.ics").status_code == 404


def test_unpublished_event_has_no_ics(client, commune):
    event = EventPageFactory(parent=section(commune, EventIndexPage), title="Brouillon",
                             start=timezone.now() + dt.timedelta(days=1), live=False)
    assert get(client, f"/agenda/evenement-{event.pk}.ics").status_code == 404


def test_news_alert_info_pages(client, site_content):
    for key in ("news", "alert", "info", "association"):
        page = site_content[key]
        response = get(client, page.url)
        assert response.status_code == 200, key
        assert page.title.replace("'", "&#x27;") in response.content.decode()
    for path in ("/actualites/", "/alertes/", "/infos-pratiques/", "/annuaire/"):
        assert get(client, path).status_code == 200, path


def test_directory_filter_and_map_places(client, site_content):
    html = get(client, "/annuaire/?type=association").content.decode()
    assert "Club de foot" in html
    assert '"lat": 47.32' in html  # the map's places, also listed without JavaScript


def test_producers_view_by_product_season_and_market_day(client, site_content):
    base = "/annuaire/?vue=producteurs"
    assert "Ferme des Marais" in get(client, base).content.decode()
    assert "Ferme des Marais" in get(client, f"{base}&produit=miel").content.decode()
    assert "Ferme des Marais" not in get(client, f"{base}&produit=fromage").content.decode()
    assert "Ferme des Marais" in get(client, f"{base}&mois=6").content.decode()
    assert "Ferme des Marais" not in get(client, f"{base}&mois=12").content.decode()
    assert "Ferme des Marais" in get(client, f"{base}&marche=sat").content.decode()
    assert "Ferme des Marais" not in get(client, f"{base}&marche=mon").content.decode()
    assert get(client, f"{base}&mois=99&marche=xyz").status_code == 200


def test_not_found_page(client, commune):
    response = get(client, "/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_sitemap_lists_commune_pages(client, site_content):
    response = get(client, "/sitemap.xml")
    assert response.status_code == 200
    assert "http://donges.localhost/agenda/" in response.content.decode()


def test_search_page_without_query_and_with_bad_scope(client, commune):
    response = client.get("/recherche/?commune=44052")
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    bad = client.get("/recherche/?commune=44052&q=fete&portee=radius")
    assert bad.status_code == 400
    assert 'role="alert"' in bad.content.decode()
    # The search layer's reason, in the site's language (search/locale/).
    far = client.get("/recherche/?commune=44052&q=fete&page=100000")
    assert far.status_code == 400
    assert "Vérifiez la page : Seuls les 10000 premiers résultats peuvent être parcourus." \
        in far.content.decode()


def _index(site_content):
    from search.services import index_enqueue, outbox_drain

    index_enqueue(page_ids=[page.pk for page in site_content.values() if hasattr(page, "path")])
    outbox_drain(force=True)


def test_search_finds_with_highlight_and_facets(client, site_content):
    _index(site_content)
    response = client.get("/recherche/?commune=44052&q=chorale")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Concert à l" in html
    assert "<mark>" in html
    assert 'name="type"' in html  # the kind facet, with counts


def test_suggestions_fragment(client, site_content):
    _index(site_content)
    response = client.get("/recherche/suggestions/?commune=44052&q=conc")
    assert response.status_code == 200
    assert "Concert à l" in response.content.decode()


@pytest.mark.parametrize("query", ["q=" + "x" * 2000, "q=%00", "page=abc&q=a",
                                   "page=100000&q=a", "rayon=inf&portee=radius&q=a",
                                   "type=nope&q=a", "lieu=abc&q=a", "commune=nope&q=a"])
def test_search_bad_input_never_fails(client, commune, query):
    assert client.get(f"/recherche/?{query}").status_code < 500
    assert client.get(f"/recherche/suggestions/?{query}").status_code < 500


def test_images_are_responsive_and_lazy(client, commune):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from cms.content.models import NewsIndexPage
    from tests.factories import NewsPageFactory

    image = get_image_model().objects.create(
        title="Marché", description="Étals du marché sous la halle",
        file=get_test_image_file(size=(1600, 1000)))
    news = NewsPageFactory(parent=section(commune, NewsIndexPage), title="Le marché revient",
                           image=image)
    listing = get(client, "/actualites/").content.decode()
    assert 'srcset="' in listing and 'loading="lazy"' in listing
    # The card's image is 7rem wide on a phone (clocher.css): the 160 px rendition fits.
    assert 'sizes="(min-width: 48rem) 14rem, 7rem"' in listing and " 160w" in listing
    image_tag = re.search(r"<img [^>]*card__image[^>]*>", listing).group(0)
    assert 'width="160"' in image_tag and 'height="100"' in image_tag
    detail = get(client, news.url).content.decode()
    assert 'srcset="' in detail and 'alt="Étals du marché sous la halle"' in detail


def test_server_error_page_needs_no_database(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert '<html lang="fr">' in response.content.decode()
    assert "Un problème est survenu" in response.content.decode()
    # The other site languages too, each marked with its language (it has no context to
    # know the visitor's).
    assert '<section lang="en" aria-labelledby="error-en">' in response.content.decode()
    assert '<section lang="de" aria-labelledby="error-de">' in response.content.decode()


def test_english_page_has_an_english_interface(client, commune):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    translated = commune.copy_for_translation(english, copy_parents=True)
    translated.save_revision().publish()
    html = client.get("/en/", HTTP_HOST=HOST).content.decode()
    assert '<html lang="en">' in html
    assert '<header class="site-header">' in html  # translated: no French mark (issue 6)


@pytest.mark.parametrize(("host", "path", "queries"), [
    (HOST, "/agenda/", 0),  # the site's root is the commune routing went through
    ("localhost", "/donges/agenda/", 1),  # the portal's: one ancestor query
])
def test_section_finds_its_commune_from_the_route(rf, commune, neighbour_commune,
                                                  django_assert_num_queries, host, path,
                                                  queries):
    from wagtail.models import Page

    from cms.readmodel.listings import commune_of

    request = rf.get(path, HTTP_HOST=host)
    agenda = Page.route_for_request(request, path).page
    assert agenda == section(commune, EventIndexPage)
    with django_assert_num_queries(queries):
        assert commune_of(page=agenda, request=request) == commune
    # A page of another commune seen from this request is not given the site's commune.
    other = section(neighbour_commune, EventIndexPage)
    assert commune_of(page=other, request=request) == neighbour_commune

"""Links of the resident site (frontend/links.py): the same URLs as Wagtail's `pageurl`
and `full_url`, relative on the commune's own site, absolute towards a neighbour's, in
the language of the page and of the interface."""

import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Locale, Page

from cms.content.models import EventIndexPage
from frontend.links import PageLinks, page_links
from frontend.templatetags.clocher_front import content_language, live_translations
from tests.factories import make_event, make_news, section

from .conftest import HOST
from .test_i18n import publish_translation


@pytest.fixture(autouse=True)
def _french_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def request_on(host: str):
    return RequestFactory().get("/", HTTP_HOST=host)


@pytest.mark.django_db
@pytest.mark.parametrize("host", [HOST, "unknown.example"])
@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_same_urls_as_wagtail(commune, neighbour_commune, site_content, host, language):
    english_news = publish_translation(site_content["news"], "en")
    german_event = publish_translation(site_content["own_event"], "de")
    accented = make_news(commune, title="Fête", slug="fête-de-l-été")
    accented.save_revision().publish()
    pages = [*Page.objects.filter(depth__gt=1).specific(),
             english_news, german_event, accented]
    with translation.override(language):
        request = request_on(host)
        links = PageLinks(request)
        for page in pages:
            assert links.url(page) == page.get_url(request=request), page.url_path
            assert links.full_url(page) == page.get_full_url(request=request), page.url_path


@pytest.mark.django_db
def test_links_on_the_commune_home(client, commune, neighbour_commune, site_content):
    publish_translation(commune, "en")
    html = client.get("/", HTTP_HOST=HOST).content.decode()
    # The commune's own pages: relative; the neighbour's event: on the neighbour's host.
    own = site_content["own_event"]
    assert f'href="/{own.url_path.removeprefix(commune.url_path)}"' in html
    neighbour_event = site_content["neighbour_event"]
    assert f'href="{neighbour_event.get_full_url()}"' in html
    assert neighbour_event.get_full_url().startswith("http://montoir")
    assert f'<link rel="canonical" href="{commune.get_full_url()}">' in html
    english = commune.get_translation(Locale.objects.get(language_code="en"))
    assert english.get_full_url().endswith("/en/")
    assert (f'<link rel="alternate" hreflang="en" href="{english.get_full_url()}">'
            in html)
    assert re.search(r'<a href="/en/" lang="en" hreflang="en">', html)


@pytest.mark.django_db
def test_links_keep_the_interface_language(client, commune, site_content):
    publish_translation(commune, "en")
    publish_translation(site_content["own_event"], "en")
    html = client.get("/en/", HTTP_HOST=HOST).content.decode()
    event_path = site_content["own_event"].url_path.removeprefix(commune.url_path)
    assert f'href="/en/{event_path}"' in html
    assert '<a href="/" lang="fr" hreflang="fr">' in html


@pytest.mark.django_db
def test_page_links_are_built_once_per_request(commune):
    request = request_on(HOST)
    assert page_links(request) is page_links(request)
    make_event(commune, title="Sans site")  # a new page: the same links object knows it
    assert page_links(request).url(commune) == commune.get_url(request=request) == "/"


@pytest.mark.django_db
def test_section_page_borrows_its_communes_locale(commune, django_assert_num_queries):
    agenda = section(commune, EventIndexPage)
    commune = type(commune).objects.get(pk=commune.pk)
    assert commune.locale.language_code == "fr"
    with django_assert_num_queries(0):
        assert content_language({"LANGUAGE_CODE": "fr"}, agenda, commune) == ""
        assert content_language({"LANGUAGE_CODE": "de"}, agenda, commune) == "fr"


@pytest.mark.django_db
def test_translations_read_once_with_their_locales(commune, django_assert_num_queries):
    publish_translation(commune, "en")
    publish_translation(commune, "de")
    with django_assert_num_queries(1):
        codes = sorted(page.locale.language_code for page in live_translations(commune))
    assert codes == ["de", "en"]


@pytest.mark.django_db
@pytest.mark.parametrize("host", [HOST, "unknown.example"])
def test_a_commune_summary_links_like_its_page(commune, neighbour_commune, host):
    from cms.readmodel.listings import neighbourhood_summaries
    from frontend.links import _page

    request = request_on(host)
    links = PageLinks(request)
    summary = neighbourhood_summaries(commune=commune)[1]
    assert summary.pk == neighbour_commune.pk
    assert links.url(summary) == neighbour_commune.get_url(request=request)
    assert links.full_url(summary) == neighbour_commune.get_full_url(request=request)
    assert _page(summary) == neighbour_commune  # what an unusual path falls back to

"""A translated site never hides what is not translated yet (issue 28, item 1).

Donges is translated into English for one event only (its home and agenda are copied
with it); everything else exists in French only. On /en/ and /de/ every resident page
type shows that French content, marked lang="fr" with a short note, the alerts in force
included; the agenda lists what the French agenda lists; the language switch offers
every configured language.
"""

import re
from html import escape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale

from .conftest import HOST

NOTE = {"en": "This page is not translated yet", "de": "Diese Seite ist noch nicht übersetzt"}
MARK = {"en": "(in French)", "de": "(auf Französisch)"}


@pytest.fixture(autouse=True)
def _french_after_each_test():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def publish_translation(page, language_code: str):
    locale = Locale.objects.get(language_code=language_code)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for ancestor in translated.get_ancestors(inclusive=True).specific().filter(
            locale=locale, depth__gt=1):
        if not ancestor.live:
            ancestor.save_revision().publish()
    translated.refresh_from_db()
    return translated.specific


@pytest.fixture
def english_donges(site_content):
    """Donges with only its concert translated into English (title in English)."""
    english = publish_translation(site_content["own_event"], "en")
    english.title = "Church concert"
    english.save_revision().publish()
    return site_content


def path_of(url: str) -> str:
    return urlsplit(url).path


def linked(html: str, title: str) -> re.Match | None:
    return re.search(rf'<a href="([^"]+)"( lang="fr")?>{re.escape(escape(title))}</a>', html)


@pytest.mark.django_db
def test_english_home_shows_french_alert_news_and_directory(client, english_donges):
    html = get(client, "/en/").content.decode()
    assert '<html lang="en">' in html
    for key in ("alert", "news", "association", "info"):
        title = english_donges[key].title
        match = linked(html, title)
        assert match, title
        # Marked as French, linked inside the English site, with the short mark.
        assert match.group(2) == ' lang="fr"', title
        assert match.group(1).startswith("/en/"), match.group(1)
    assert MARK["en"] in html
    # The alert in force is shown in the home's alert area.
    alerts = re.search(r'<section class="alerts".*?</section>', html, re.S).group(0)
    assert escape(english_donges["alert"].title) in alerts
    # Donges's own French items are not "via Donges" on its English site.
    assert "via Donges" not in html
    # The menu offers every section, the untranslated ones under /en/ too.
    menu = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    for label, path in (("News", "/en/actualites/"), ("Directory", "/en/annuaire/"),
                        ("Practical information", "/en/infos-pratiques/")):
        assert f'<a href="{path}">{label}</a>' in menu, label


@pytest.mark.django_db
def test_english_agenda_lists_what_french_agenda_lists(client, english_donges):
    french = get(client, "/agenda/").content.decode()
    english_index = english_donges["own_event"].get_parent().get_translation(
        Locale.objects.get(language_code="en"))
    english = get(client, path_of(english_index.url)).content.decode()
    def titles(html):
        return re.findall(r'class="card__title"><a href="[^"]+"(?: lang="fr")?>([^<]+)</a>', html)

    french_titles, english_titles = titles(french), titles(english)
    assert len(french_titles) >= 2
    assert len(english_titles) == len(french_titles)
    assert set(english_titles) - {"Church concert"} == set(french_titles) - {
        escape("Concert à l'église")}
    assert "Church concert" in english_titles
    # The translated event is in English, the others marked French.
    assert linked(english, "Church concert").group(2) is None
    assert linked(english, "Marché du samedi").group(2) == ' lang="fr"'


@pytest.mark.parametrize("key", ["news", "alert", "info", "association", "market_event"])
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.django_db
def test_untranslated_page_is_served_in_french_under_the_language(
        client, english_donges, key, language):
    page = english_donges[key]
    url = f"/{language}{path_of(page.url)}"
    response = get(client, url)
    html = response.content.decode()
    assert response.status_code == 200, url
    assert f'<html lang="{language}">' in html
    assert f'<h1 lang="fr">{escape(page.title)}' in html
    assert NOTE[language] in html
    languages = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    for code, _name in settings.LANGUAGES:
        assert f'lang="{code}"' in languages, code
    # French leads to the French page; the current language is marked, not linked.
    assert f'href="{path_of(page.url)}" lang="fr"' in languages
    assert f'<span aria-current="true" lang="{language}">' in languages


@pytest.mark.parametrize("section_key", ["news", "info", "association", "alert"])
@pytest.mark.django_db
def test_untranslated_section_index_is_served_in_french(client, english_donges, section_key):
    index = english_donges[section_key].get_parent()
    response = get(client, f"/en{path_of(index.url)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert NOTE["en"] in html
    assert escape(english_donges[section_key].title) in html


@pytest.mark.django_db
def test_translated_page_wins_over_its_french_source(client, english_donges):
    own = english_donges["own_event"]
    response = get(client, f"/en{path_of(own.url)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Church concert" in html and NOTE["en"] not in html


@pytest.mark.django_db
def test_french_pages_have_no_note_and_offer_every_language(client, english_donges):
    html = get(client, path_of(english_donges["news"].url)).content.decode()
    assert NOTE["en"] not in html and MARK["en"] not in html
    assert 'class="untranslated' not in html
    languages = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    news_path = path_of(english_donges["news"].url)
    assert f'href="/en{news_path}" lang="en"' in languages
    assert f'href="/de{news_path}" lang="de"' in languages


@pytest.mark.django_db
def test_unknown_page_under_a_language_is_still_404(client, english_donges):
    assert get(client, "/en/agenda/nothing-here/").status_code == 404
    assert get(client, "/de/nothing/at/all/").status_code == 404


@pytest.mark.django_db
def test_english_search_finds_french_pages_not_translated_yet(client, english_donges):
    """Search on /en/ finds what is only in French (marked), and a translated page once,
    in English (search/query/resolve.py: fallback_locale, source_ids_translated)."""
    from wagtail.models import Page

    from search.services import index_enqueue, outbox_drain

    english_concert = Page.objects.get(
        translation_key=english_donges["own_event"].translation_key, locale__language_code="en")
    index_enqueue(page_ids=[english_concert.pk] + [
        page.pk for page in english_donges.values() if hasattr(page, "path")])
    outbox_drain(force=True)

    html = get(client, "/en/recherche/?commune=44052&q=travaux").content.decode()
    assert re.search(r'<a href="[^"]+" lang="fr">Travaux rue de la Gare</a> '
                     rf'<span class="untranslated">{re.escape(MARK["en"])}</span>', html)
    concert = get(client, "/en/recherche/?commune=44052&q=concert").content.decode()
    assert linked(concert, "Church concert") and not linked(concert, "Concert à l'église")
    assert not re.search(r'lang="fr">Church concert', concert)
    # On the French site: the same page, with no mark.
    french_only = get(client, "/recherche/?commune=44052&q=travaux").content.decode()
    assert linked(french_only, "Travaux rue de la Gare").group(2) is None  # no lang mark

"""Translating commune content with wagtail-localize: French source, English target."""

import pytest
from wagtail.models import Locale
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import translate_object

from cms.communes.models import CommuneHomePage
from cms.communes.services import CommuneData, commune_upsert
from cms.content.models import NewsIndexPage
from tests.factories import NewsPageFactory, section

pytestmark = pytest.mark.django_db

OFFICIAL_FIELDS = (
    "insee_code",
    "population",
    "postcodes",
    "department_code",
    "department_name",
    "epci_code",
    "epci_name",
    "latitude",
    "longitude",
)


@pytest.fixture
def english():
    return Locale.objects.get(language_code="en")


@pytest.fixture
def news(commune):
    return NewsPageFactory(
        parent=section(commune, NewsIndexPage),
        title="Marché de Noël sur la place",
        slug="marche-de-noel",
        lead="Chalets, vin chaud et chorale le 14 décembre.",
    )


@pytest.fixture
def translate(django_capture_on_commit_callbacks):
    """Translate a page as an editor does: submit it, fill segments, publish.

    Each call is one admin request: wagtail-localize publishes on commit, and a
    parent must be published before its children are translated.
    """

    def translate(page, locale, *, strings: dict[str, str] | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            translate_object(page, [locale])
            source = TranslationSource.objects.get_for_instance(page)
            for path, text in (strings or {}).items():
                segment = StringSegment.objects.get(source=source, context__path=path)
                StringTranslation.objects.update_or_create(
                    translation_of=segment.string,
                    locale=locale,
                    context=segment.context,
                    defaults={
                        "data": text,
                        "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                    },
                )
            Translation.objects.get(source=source, target_locale=locale).save_target(publish=True)
        return page.get_translation(locale).specific

    return translate


def test_french_is_the_source_and_english_and_german_exist():
    assert Locale.get_default().language_code == "fr"
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"fr", "en", "de"}


def test_translated_news_is_served_in_english_on_the_commune_host(
    client, commune, news, english, translate
):
    translate(commune, english)
    translate(section(commune, NewsIndexPage), english, strings={"title": "News"})
    news_en = translate(news, english, strings={"title": "Christmas market on the square"})

    assert news_en.live
    assert news_en.locale == english
    _site_id, _root_url, english_path = news_en.get_url_parts()
    assert english_path.startswith("/en/")

    response = client.get(english_path, HTTP_HOST="donges.localhost")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Christmas market on the square" in html
    assert "Marché de Noël sur la place" not in html

    response = client.get("/actualites/marche-de-noel/", HTTP_HOST="donges.localhost")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Marché de Noël sur la place" in html


def test_official_data_is_synchronised_not_translated(commune, english, translate):
    commune_en = translate(commune, english)

    # Translators only see the commune's texts, never its official data.
    source = TranslationSource.objects.get_for_instance(commune)
    translatable_paths = set(
        StringSegment.objects.filter(source=source).values_list("context__path", flat=True)
    )
    assert translatable_paths
    assert translatable_paths.isdisjoint(OFFICIAL_FIELDS)

    assert isinstance(commune_en, CommuneHomePage)
    assert commune_en.live
    for name in OFFICIAL_FIELDS:
        assert getattr(commune_en, name) == getattr(commune, name), name

    # The next official-data import updates every language at once.
    commune_upsert(
        data=CommuneData(
            insee_code="44052",
            name="Donges",
            population=8302,
            postcodes=["44480"],
            department_code=commune.department_code,
            department_name=commune.department_name,
            epci_code=commune.epci_code,
            epci_name=commune.epci_name,
            latitude=commune.latitude,
            longitude=commune.longitude,
        )
    )
    commune_en.refresh_from_db()
    assert commune_en.population == 8302

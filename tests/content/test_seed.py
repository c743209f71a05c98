"""seed_demo: the realistic demo on the real Etalab/GeoNames extract, and the bulk scale demo."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail_localize.models import StringTranslation, Translation

from cms.communes import sources
from cms.communes.models import CommuneHomePage
from cms.communes.selectors import distance_km
from cms.content.demo.communes import DEFAULT_INSEE_CODES
from cms.content.demo.scale import MIX, allocate
from cms.content.models import (
    AlertPage,
    AlertSeverity,
    Category,
    DirectoryEntryPage,
    EventPage,
    InfoPage,
    NewsPage,
)
from cms.readmodel import listings as selectors
from tests.demo import DATA, counts, seed

CONTENT_MODELS = (NewsPage, EventPage, AlertPage, InfoPage, DirectoryEntryPage)


def content_pages(commune: CommuneHomePage) -> int:
    return Page.objects.filter(path__startswith=commune.path, depth=commune.depth + 2).count()


def commune(insee_code: str) -> CommuneHomePage:
    return CommuneHomePage.objects.get(insee_code=insee_code, locale=Locale.get_default())


def assert_valid_tree() -> None:
    assert Page.find_problems() == ([], [], [], [], [])
    out = StringIO()
    call_command("fixtree", "--noinput", stdout=out)
    assert out.getvalue().startswith("Checking page tree for problems...\nNo problems found.")


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDefaultDemo:
    def test_imports_the_real_communes_around_donges(self):
        communes = CommuneHomePage.objects.filter(locale=Locale.get_default())
        assert sorted(communes.values_list("insee_code", flat=True)) == sorted(DEFAULT_INSEE_CODES)
        donges = commune("44052")
        assert (donges.title, donges.population, donges.epci_code) == ("Donges", 8219, "244400644")
        assert commune("44195").epci_name == "CC Estuaire et Sillon"  # Savenay, a neighbour

    def test_every_commune_has_every_content_type(self):
        for code in DEFAULT_INSEE_CODES:
            home = commune(code)
            for model in CONTENT_MODELS:
                assert model.objects.live().descendant_of(home).exists(), (code, model)

    def test_an_urgent_alert_is_in_force(self):
        active = list(selectors.alert_list_active(communes=[commune("44052")]))
        assert active[0].severity == AlertSeverity.URGENT
        assert active[0].valid_from <= timezone.now() < active[0].valid_until
        # The heatwave warning is over: archived, not listed.
        assert AlertPage.objects.filter(slug="canicule").exists()
        assert "canicule" not in {alert.slug for alert in active}

    def test_upcoming_and_past_events_with_practical_details(self):
        donges = commune("44052")
        upcoming = list(selectors.event_list_upcoming(communes=[donges]))
        past = list(selectors.event_list_past(communes=[donges]))
        assert {"vide-grenier", "marche-de-noel", "concert-harmonie", "fest-noz", "foulees",
                "conseil-municipal"} <= {event.slug for event in upcoming}
        assert "conseil-municipal-precedent" in {event.slug for event in past}
        for event in upcoming + past:
            assert event.venue_name and event.address and event.organiser
            assert event.is_free or event.price
            assert distance_km(donges.latitude, donges.longitude,
                               event.latitude, event.longitude) < 3
        fest_noz = next(event for event in upcoming if event.slug == "fest-noz")
        assert fest_noz.registration_url.startswith("https://")
        assert fest_noz.accessibility
        assert set(fest_noz.category_slugs) == {"culture", "fete"}

    def test_producers_sell_seasonal_products_at_markets_and_pickup_points(self):
        producers = DirectoryEntryPage.objects.filter(kind="producer", locale=Locale.get_default())
        assert producers.count() == 2 * len(DEFAULT_INSEE_CODES)
        for producer in producers:
            assert producer.products and producer.seasons
            assert producer.pickup_points or producer.market_days
        market_garden = producers.get(slug="maraicher", url_path__contains="/donges/")
        assert {"name": "Fraises", "months": [5, 6]} in [
            block.block.get_api_representation(block.value) for block in market_garden.products
        ]
        assert market_garden.pickup_points[0].value["latitude"] == market_garden.latitude
        kinds = set(DirectoryEntryPage.objects.values_list("kind", flat=True))
        assert kinds == {"association", "shop", "producer", "public_service"}

    def test_practical_information_with_town_hall_hours(self):
        hours = InfoPage.objects.get(slug="horaires-mairie", url_path="/clocher/donges/"
                                     "infos-pratiques/horaires-mairie/")
        assert {slot.value["day"] for slot in hours.opening_hours} == {
            "mon", "tue", "wed", "thu", "fri", "sat"}
        topics = set(InfoPage.objects.descendant_of(commune("44052")).values_list("topic",
                                                                                   flat=True))
        assert topics == {"town_hall", "waste", "schools"}

    def test_pages_were_published_with_revisions(self):
        for model in CONTENT_MODELS:
            for page in model.objects.filter(locale=Locale.get_default()):
                assert page.live and page.live_revision_id and page.latest_revision_id

    def test_news_is_recent_and_in_the_past(self):
        today = timezone.localdate()
        dates = NewsPage.objects.values_list("date", flat=True)
        assert all(today - dt.timedelta(days=60) <= day <= today for day in dates)

    def test_english_translations_are_served_under_en(self, client):
        english = Locale.objects.get(language_code="en")
        market = EventPage.objects.get(slug="marche-de-noel", url_path__contains="/donges/",
                                       locale=Locale.get_default())
        translated = market.get_translation(english)
        assert translated.live and translated.title == "Christmas market"
        # Made through wagtail-localize, so editable in its translation editor.
        assert Translation.objects.filter(source__object_id=market.translation_key,
                                          target_locale=english).exists()
        assert StringTranslation.objects.filter(locale=english, data="Christmas market").exists()

        response = client.get("/en/agenda/marche-de-noel/", HTTP_HOST="donges.localhost")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="en">' in html and "Father Christmas" in html
        french = client.get("/agenda/marche-de-noel/", HTTP_HOST="donges.localhost")
        assert "Marché de Noël" in french.content.decode()
        home = client.get("/en/", HTTP_HOST="donges.localhost").content.decode()
        assert "Welcome to Donges" in home

    def test_commune_home_shows_the_demo_content(self, client):
        html = client.get("/", HTTP_HOST="donges.localhost").content.decode()
        assert "Coupure d&#x27;eau dans le centre-bourg" in html
        soonest = selectors.event_list_upcoming(
            communes=selectors.neighbourhood_communes(commune=commune("44052"))).first()
        assert soonest.title.replace("'", "&#x27;") in html
        assert "Les Jardins de La Herbretais" in html

    def test_categories_exist_in_three_languages(self):
        for code in ("fr", "en", "de"):
            assert Category.objects.filter(locale__language_code=code).count() == 15
        market = Category.objects.get(slug="marche", locale__language_code="en")
        assert market.name == "Market"
        assert market.get_translation(Locale.get_default()).name == "Marché"

    def test_admin_and_commune_accounts(self):
        admin = get_user_model().objects.get(username="admin")
        assert admin.is_superuser and admin.check_password("clocher-demo")
        communicant = get_user_model().objects.get(username="communicant-donges")
        assert communicant.groups.filter(name="Donges — communicants").exists()

    def test_prints_the_demo_password(self, demo):
        assert 'user "admin", password "clocher-demo"' in demo.first_output

    def test_second_run_adds_nothing(self, demo):
        assert demo.second == demo.first
        assert "Pages: 0 created" in demo.second_output

    def test_tree_is_valid(self):
        assert_valid_tree()


@pytest.mark.django_db
class TestScaleDemo:
    def test_generates_the_requested_pages_in_a_valid_tree(self, client):
        output = seed("--communes", "3", "--pages-per-commune", "50")
        assert "150 inserted" in output
        assert sum(model.objects.count() for model in CONTENT_MODELS) == 150
        # The three communes of the extract nearest Donges, centroid to centroid: Besné
        # (5.2 km) and Paimbœuf (5.7 km), before Montoir-de-Bretagne (5.8 km).
        communes = CommuneHomePage.objects.all()
        assert sorted(c.insee_code for c in communes) == ["44013", "44052", "44116"]
        for home in communes:
            assert content_pages(home) == 50
        assert {model: model.objects.count() for model in CONTENT_MODELS} == {
            model: 3 * count for (model, _index, _weight), count in zip(MIX, allocate(50),
                                                                        strict=True)
        }
        assert_valid_tree()

        for model in CONTENT_MODELS:
            page = model.objects.first()
            assert page.live and page.url_path == page.get_parent().url_path + page.slug + "/"
            response = client.get(page.get_url(), HTTP_HOST=page.get_site().hostname)
            assert response.status_code == 200, page.url_path

    def test_commune_home_lists_generated_content(self, client):
        seed("--communes", "1", "--pages-per-commune", "20")
        donges = commune("44052")
        latest = selectors.news_list(communes=[donges]).first()
        html = client.get("/", HTTP_HOST="donges.localhost").content.decode()
        assert latest.title.replace("'", "&#x27;") in html

    def test_tops_up_instead_of_duplicating(self):
        seed("--communes", "2", "--pages-per-commune", "30")
        again = seed("--communes", "2", "--pages-per-commune", "30")
        assert "Pages: 0 inserted" in again
        more = seed("--communes", "2", "--pages-per-commune", "45")
        assert "30 inserted" in more
        assert [content_pages(home) for home in CommuneHomePage.objects.all()] == [45, 45]
        assert_valid_tree()

    def test_adds_to_the_realistic_demo_up_to_the_target(self):
        seed("--insee", "44052")
        realistic = content_pages(commune("44052"))
        seed("--communes", "1", "--pages-per-commune", str(realistic + 10))
        assert content_pages(commune("44052")) == realistic + 10
        assert_valid_tree()

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (["--communes", "-1", "--pages-per-commune", "5"], "--communes must be at least 1"),
            (["--communes", "0", "--pages-per-commune", "5"], "--communes must be at least 1"),
            (["--communes", "2", "--pages-per-commune", "-3"],
             "--pages-per-commune must be at least 1"),
            (["--communes", "{too_many}", "--pages-per-commune", "5"], "the data has only"),
            (["--communes", "2"], "needs both --communes N and --pages-per-commune M"),
            (["--insee", "44052", "--communes", "2", "--pages-per-commune", "5"],
             "--insee is for the realistic demo"),
            (["--insee", "99999"], "Unknown INSEE code"),
            (["--insee", "4405"], "Invalid INSEE code"),
        ],
    )
    def test_bad_arguments_write_nothing(self, arguments, message):
        official = sources.parse(data_dir=DATA / "etalab",
                                 geonames_csv=DATA / "geonames" / "cities1000-extract.csv")
        too_many = str(sum(c.department_code == "44" for c in official.values()) + 1)
        before = counts()
        with pytest.raises(CommandError, match=message):
            seed(*[argument.format(too_many=too_many) for argument in arguments])
        assert counts() == before

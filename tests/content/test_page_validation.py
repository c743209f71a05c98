"""Each page type refuses invalid data with a form error in the Wagtail admin, and
nothing is written. The admin form is exercised over HTTP, as an editor would."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.communes.models import CommuneHomePage
from cms.content import models as content
from tests.factories import section

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")
# The day of the events and alerts typed in the forms: ahead of whatever day the suite
# runs on, and the same for the whole module (parameters are built at import).
DAY = timezone.localdate() + dt.timedelta(days=40)
NEXT_DAY = DAY + dt.timedelta(days=1)


def typed(day: dt.date, time: str) -> str:
    """What an editor types in a date-time field."""
    return f"{day:%Y-%m-%d} {time}"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def add_page(client, model, parent, data):
    url = f"/admin/pages/add/content/{model._meta.model_name}/{parent.pk}/"
    return client.post(url, nested_form_data(data))


def event_data(**overrides):
    data = {
        "title": "Fest-noz de la Saint-Jean",
        "slug": "fest-noz",
        "start": typed(DAY, "20:00"),
        "end": typed(NEXT_DAY, "01:00"),
        "time_zone": "Europe/Paris",
        "summary": "Danses bretonnes au son des sonneurs.",
        "body": streamfield([]),
        "venue_name": "Salle Jacques Brel",
        "address": "Rue de la Loire, 44480 Donges",
        "latitude": "47.318",
        "longitude": "-2.075",
        "organiser": "Comité des fêtes",
        "price": "5 €",
        "registration_url": "",
        "accessibility": "Salle accessible PMR",
    }
    data.update(overrides)
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, "an invalid form is shown again, not redirected"
    return response.context["form"].errors


def test_valid_event_is_created_in_paris_time(admin_client, commune):
    agenda = section(commune, content.EventIndexPage)
    response = add_page(admin_client, content.EventPage, agenda, event_data())
    assert response.status_code == 302
    event = content.EventPage.objects.get(slug="fest-noz")
    assert event.start == dt.datetime.combine(DAY, dt.time(20), tzinfo=PARIS)
    assert event.get_parent().specific == agenda


def test_event_times_are_read_in_the_event_time_zone(admin_client, commune):
    agenda = section(commune, content.EventIndexPage)
    add_page(admin_client, content.EventPage, agenda,
             event_data(time_zone="Indian/Reunion", slug="reunion"))
    event = content.EventPage.objects.get(slug="reunion")
    assert event.start == dt.datetime.combine(DAY, dt.time(20), tzinfo=REUNION)
    assert event.start.astimezone(dt.UTC).hour == 16  # Réunion is UTC+4 all year


def test_all_day_event_spans_whole_days(admin_client, commune):
    agenda = section(commune, content.EventIndexPage)
    add_page(admin_client, content.EventPage, agenda,
             event_data(all_day="on", start=typed(DAY, "10:30"), end=typed(NEXT_DAY, "09:00"),
                        slug="fete-nationale"))
    event = content.EventPage.objects.get(slug="fete-nationale")
    assert event.start.astimezone(PARIS) == dt.datetime.combine(DAY, dt.time(0), tzinfo=PARIS)
    assert event.end.astimezone(PARIS).date() == NEXT_DAY


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end": typed(DAY, "19:00")}, "end"),
        ({"title": ""}, "title"),
        ({"start": "pas une date"}, "start"),
        ({"start": ""}, "start"),
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "-181"}, "longitude"),
        ({"longitude": ""}, "longitude"),
        ({"registration_url": "javascript:alert(1)"}, "registration_url"),
        ({"is_free": "on"}, "price"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_invalid_event_is_refused_with_a_form_error(admin_client, commune, overrides, field):
    agenda = section(commune, content.EventIndexPage)
    before = Page.objects.count()
    response = add_page(admin_client, content.EventPage, agenda, event_data(**overrides))
    assert field in form_errors(response)
    assert Page.objects.count() == before


def test_alert_validity_must_end_after_it_starts(admin_client, commune):
    alerts = section(commune, content.AlertIndexPage)
    data = {
        "title": "Coupure d'eau", "slug": "coupure", "severity": "3",
        "valid_from": typed(DAY, "08:00"), "valid_until": typed(DAY, "07:00"),
        "message": rich_text("<p>Rue des Écoles</p>"),
    }
    response = add_page(admin_client, content.AlertPage, alerts, data)
    assert "valid_until" in form_errors(response)
    data["valid_until"] = typed(DAY, "18:00")
    assert add_page(admin_client, content.AlertPage, alerts, data).status_code == 302


def test_alert_severity_must_be_known(admin_client, commune):
    alerts = section(commune, content.AlertIndexPage)
    data = {"title": "Alerte", "slug": "a", "severity": "9", "valid_from": typed(DAY, "08:00"),
            "message": rich_text("<p>x</p>")}
    assert "severity" in form_errors(add_page(admin_client, content.AlertPage, alerts, data))


def directory_data(**overrides):
    data = {
        "title": "Les Jardins de la Brière", "slug": "jardins", "kind": "producer",
        "description": rich_text("<p>Maraîchage bio</p>"), "address": "", "latitude": "",
        "longitude": "", "phone": "", "email": "", "website": "",
        "opening_hours": streamfield([("slot", {"day": "sat", "opens": "09:00",
                                                "closes": "12:00"})]),
        "products": streamfield([("product", {"name": "Fraises", "months": ("5", "6")})]),
        "market_days": streamfield([]),
        "pickup_points": streamfield([]),
    }
    data.update(overrides)
    return data


def test_producer_with_products_is_created(admin_client, commune):
    directory = section(commune, content.DirectoryIndexPage)
    response = add_page(admin_client, content.DirectoryEntryPage, directory, directory_data())
    assert response.status_code == 302
    entry = content.DirectoryEntryPage.objects.get(slug="jardins")
    assert entry.seasons == [5, 6]
    assert entry.opening_hours[0].value["opens"] == dt.time(9, 0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "spaceship"}, "kind"),
        ({"email": "pas-un-courriel"}, "email"),
        ({"latitude": "47.3"}, "longitude"),
        ({"opening_hours": streamfield([("slot", {"day": "sat", "opens": "12:00",
                                                  "closes": "09:00"})])}, "opening_hours"),
        ({"kind": "shop"}, "products"),
    ],
)
def test_invalid_directory_entry_is_refused(admin_client, commune, overrides, field):
    directory = section(commune, content.DirectoryIndexPage)
    before = Page.objects.count()
    response = add_page(admin_client, content.DirectoryEntryPage, directory,
                        directory_data(**overrides))
    assert field in form_errors(response)
    assert Page.objects.count() == before


def test_news_needs_a_title_and_a_valid_date(admin_client, commune):
    news = section(commune, content.NewsIndexPage)
    data = {"title": "", "slug": "n", "date": f"{DAY:%Y}-13-45", "lead": "",
            "body": streamfield([])}
    errors = form_errors(add_page(admin_client, content.NewsPage, news, data))
    assert {"title", "date"} <= set(errors)


def test_call_to_action_needs_exactly_one_target(admin_client, commune):
    news = section(commune, content.NewsIndexPage)
    data = {"title": "Inscriptions", "slug": "inscriptions", "date": f"{DAY:%Y-%m-%d}", "lead": "",
            "body": streamfield([("call_to_action", {"text": "S'inscrire", "page": "",
                                                      "url": ""})])}
    assert "body" in form_errors(add_page(admin_client, content.NewsPage, news, data))


@pytest.mark.parametrize(
    ("field", "value"),
    [("insee_code", "4405"), ("insee_code", "440521"), ("insee_code", "AB123"),
     ("latitude", "123"), ("longitude", "200"), ("postcodes", '["4448"]'), ("title", "")],
)
def test_commune_official_data_is_validated(admin_client, commune, field, value):
    data = {
        "title": commune.title, "slug": commune.slug, "intro": rich_text(""),
        "insee_code": commune.insee_code, "population": "8219", "postcodes": '["44480"]',
        "department_code": "44", "department_name": "Loire-Atlantique",
        "epci_code": commune.epci_code, "epci_name": commune.epci_name,
        "latitude": str(commune.latitude), "longitude": str(commune.longitude),
        "seo_title": "", "search_description": "",
    }
    data[field] = value
    response = admin_client.post(f"/admin/pages/{commune.pk}/edit/", nested_form_data(data))
    assert field in form_errors(response)
    stored = CommuneHomePage.objects.get(pk=commune.pk)
    assert (stored.insee_code, stored.latitude) == ("44052", commune.latitude)


def test_second_commune_with_same_insee_code_is_refused(admin_client, commune):
    portal = commune.get_parent()
    data = {
        "title": "Donges bis", "slug": "donges-bis", "intro": rich_text(""),
        "insee_code": "44052", "population": "", "postcodes": "[]",
        "department_code": "44", "department_name": "", "epci_code": "", "epci_name": "",
        "latitude": "", "longitude": "", "seo_title": "", "search_description": "",
    }
    response = admin_client.post(f"/admin/pages/add/communes/communehomepage/{portal.pk}/",
                                 nested_form_data(data))
    assert "insee_code" in form_errors(response)
    assert CommuneHomePage.objects.filter(insee_code="44052").count() == 1


def test_editing_an_overseas_event_keeps_its_wall_clock_time(admin_client, commune):
    agenda = section(commune, content.EventIndexPage)
    add_page(admin_client, content.EventPage, agenda,
             event_data(time_zone="Indian/Reunion", slug="reunion"))
    event = content.EventPage.objects.get(slug="reunion")
    form_page = admin_client.get(f"/admin/pages/{event.pk}/edit/")
    assert form_page.context["form"]["start"].value() == dt.datetime.combine(DAY, dt.time(20))
    data = event_data(time_zone="Indian/Reunion", slug="reunion", title="Séga")
    assert admin_client.post(f"/admin/pages/{event.pk}/edit/",
                             nested_form_data(data)).status_code == 302
    event.refresh_from_db()
    assert event.latest_revision.as_object().start == dt.datetime.combine(
        DAY, dt.time(20), tzinfo=REUNION)

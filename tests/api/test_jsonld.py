"""schema.org JSON-LD: the properties each type needs, and the script element in page HTML."""

import datetime as dt
import json
import re
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from cms.content.models import (
    AlertSeverity,
    DirectoryKind,
    EventIndexPage,
)
from cms.readmodel.jsonld import item_jsonld
from tests.factories import (
    CategoryFactory,
    EventPageFactory,
    make_alert,
    make_directory,
    make_event,
    make_info,
    make_news,
    section,
)

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# What Google's rich results and schema.org's validator need for each type.
REQUIRED = {
    "Event": {"name", "startDate", "location", "url", "eventStatus", "eventAttendanceMode"},
    "NewsArticle": {"headline", "datePublished", "dateModified", "publisher", "url"},
    "SpecialAnnouncement": {"name", "text", "datePosted", "url"},
    "Store": {"name", "address", "url"},
    "LocalBusiness": {"name", "address", "url"},
    "GovernmentOffice": {"name", "address", "url"},
    "NGO": {"name", "url"},
    "AdministrativeArea": {"name", "identifier", "url"},
    "WebPage": {"name", "url"},
}
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def assert_schema(data: dict, schema_type: str) -> None:
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == schema_type
    missing = REQUIRED[schema_type] - set(data)
    assert not missing, f"{schema_type} lacks {missing}"
    assert json.loads(json.dumps(data)) == data  # plain JSON types only


def days_ahead(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def slots(*triples):
    return [{"type": "slot", "value": {"day": day, "opens": opens, "closes": closes}}
            for day, opens, closes in triples]


def test_event_is_a_schema_org_event(commune):
    start = dt.datetime.combine(days_ahead(30), dt.time(21, 30), tzinfo=PARIS)
    fete = CategoryFactory(slug="fete", name="Fête")
    event = make_event(
        commune, title="Feu d'artifice", start=start,
        end=start + dt.timedelta(hours=1), venue_name="Bords de Loire", address="Quai du port",
        latitude=47.31, longitude=-2.07, organiser="Comité des fêtes", is_free=True,
        summary="Tiré depuis le quai.", accessibility="Accès PMR", categories=[fete],
    )
    data = item_jsonld(page=event)

    assert_schema(data, "Event")
    # In the event's own zone with its offset (+01:00 or +02:00 depending on the season).
    assert data["startDate"] == start.isoformat()
    assert data["startDate"].startswith(f"{start:%Y-%m-%d}T21:30:00+0")
    assert data["endDate"] == (start + dt.timedelta(hours=1)).isoformat()
    assert data["url"] == "http://donges.localhost/agenda/feu-dartifice/"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    location = data["location"]
    assert location["@type"] == "Place"
    assert location["name"] == "Bords de Loire"
    assert location["address"] == {
        "@type": "PostalAddress", "streetAddress": "Quai du port", "addressLocality": "Donges",
        "postalCode": "44480", "addressRegion": "Loire-Atlantique", "addressCountry": "FR",
    }
    assert location["geo"] == {"@type": "GeoCoordinates", "latitude": 47.31, "longitude": -2.07}
    assert data["organizer"] == {"@type": "Organization", "name": "Comité des fêtes"}
    assert data["isAccessibleForFree"] is True
    assert data["offers"]["price"] == "0"
    assert data["description"] == "Tiré depuis le quai."
    assert data["keywords"] == "Fête"


def test_all_day_and_overseas_events_keep_their_own_dates(commune):
    reunion = zoneinfo.ZoneInfo("Indian/Reunion")
    start = dt.datetime.combine(days_ahead(30), dt.time(19), tzinfo=reunion)
    sega = make_event(commune, title="Séga", start=start, end=None,
                      time_zone="Indian/Reunion", price="5 €")
    data = item_jsonld(page=sega)
    assert data["startDate"] == f"{start:%Y-%m-%d}T19:00:00+04:00"  # no DST there
    assert "endDate" not in data
    assert data["isAccessibleForFree"] is False
    assert data["offers"]["description"] == "5 €"
    # Without an organiser, the commune organises.
    assert data["organizer"]["@type"] == "GovernmentOrganization"

    day = days_ahead(60)
    fair = EventPageFactory.build(
        title="Vide-greniers", all_day=True,
        start=dt.datetime.combine(day, dt.time(8), tzinfo=PARIS),
        end=dt.datetime.combine(day, dt.time(18), tzinfo=PARIS),
    )
    fair.clean()
    section(commune, EventIndexPage).add_child(instance=fair)
    data = item_jsonld(page=fair)
    assert (data["startDate"], data["endDate"]) == (day.isoformat(), day.isoformat())


def test_news_is_a_news_article_published_by_the_commune(commune):
    # Dated another day than its publication: the article's own date wins.
    day = days_ahead(30)
    news = make_news(commune, title="Conseil municipal", lead="Le budget est voté.", date=day)
    data = item_jsonld(page=news)
    assert_schema(data, "NewsArticle")
    assert data["headline"] == "Conseil municipal"
    assert data["datePublished"].startswith(f"{day.isoformat()}T00:00:00")
    assert data["publisher"]["@type"] == "GovernmentOrganization"
    assert data["publisher"]["name"] == "Donges"
    assert data["publisher"]["url"] == "http://donges.localhost/"
    assert data["url"] == data["mainEntityOfPage"] == (
        "http://donges.localhost/actualites/conseil-municipal/")


def test_alert_is_a_special_announcement(commune):
    alert = make_alert(commune, title="Crue",
                       severity=AlertSeverity.URGENT,
                       message="<p>Routes <b>fermées</b>.</p>")
    data = item_jsonld(page=alert)
    assert_schema(data, "SpecialAnnouncement")
    assert data["text"] == "Routes fermées."
    assert data["spatialCoverage"]["identifier"]["value"] == "44052"


@pytest.mark.parametrize(("kind", "schema_type"), [
    (DirectoryKind.SHOP, "Store"),
    (DirectoryKind.PRODUCER, "LocalBusiness"),
    (DirectoryKind.PUBLIC_SERVICE, "GovernmentOffice"),
])
def test_directory_places_carry_geo_and_opening_hours(commune, kind, schema_type):
    entry = make_directory(
        commune, title="Boulangerie du Bourg", kind=kind,
        address="2 rue de la Mairie", latitude=47.32, longitude=-2.08, phone="02 40 00 00 00",
        email="contact@example.org", website="https://boulangerie.example.org/",
        opening_hours=slots(("tue", "07:00", "13:00"), ("wed", "07:00", "13:00"),
                            ("sat", "08:00", "12:30")),
    )
    data = item_jsonld(page=entry)
    assert_schema(data, schema_type)
    assert data["url"] == "https://boulangerie.example.org/"
    assert data["telephone"] == "02 40 00 00 00"
    assert data["geo"]["latitude"] == 47.32
    assert data["openingHoursSpecification"] == [
        {"@type": "OpeningHoursSpecification",
         "dayOfWeek": ["https://schema.org/Tuesday", "https://schema.org/Wednesday"],
         "opens": "07:00", "closes": "13:00"},
        {"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Saturday",
         "opens": "08:00", "closes": "12:30"},
    ]


def test_producer_offers_its_products(commune):
    entry = make_directory(
        commune, title="Ferme des Marais",
        kind=DirectoryKind.PRODUCER,
        products=[{"type": "product", "value": {"name": "Fraises", "months": ["5", "6"]}}],
    )
    data = item_jsonld(page=entry)
    assert data["makesOffer"] == [
        {"@type": "Offer", "itemOffered": {"@type": "Product", "name": "Fraises"}}]


def test_association_is_an_ngo_whose_premises_are_a_place(commune):
    entry = make_directory(
        commune, title="Amicale laïque",
        kind=DirectoryKind.ASSOCIATION, latitude=47.32, longitude=-2.08,
        opening_hours=slots(("mon", "18:00", "20:00")),
    )
    data = item_jsonld(page=entry)
    assert_schema(data, "NGO")
    assert "geo" not in data  # an Organization is not a Place
    assert data["location"]["@type"] == "Place"
    assert data["location"]["geo"]["longitude"] == -2.08
    assert data["location"]["openingHoursSpecification"][0]["opens"] == "18:00"


def test_commune_is_an_administrative_area(commune):
    data = item_jsonld(page=commune)
    assert_schema(data, "AdministrativeArea")
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "INSEE",
                                  "value": "44052"}
    assert data["geo"]["latitude"] == pytest.approx(47.31824)
    assert data["containedInPlace"]["name"] == "Loire-Atlantique"


def test_town_hall_hours_are_a_government_office(commune):
    info = make_info(commune, title="Horaires de la mairie",
                     opening_hours=slots(("mon", "09:00", "12:00")))
    data = item_jsonld(page=info)
    assert_schema(data, "WebPage")
    assert data["mainEntity"]["@type"] == "GovernmentOffice"
    assert data["about"]["name"] == "Donges"


def test_event_page_html_carries_parseable_event_jsonld(client, commune):
    event = make_event(commune, title="Fest-noz",
                       venue_name="Salle Jules-Verne")
    response = client.get("/agenda/fest-noz/", HTTP_HOST="donges.localhost")
    assert response.status_code == 200
    (data,) = [json.loads(s) for s in SCRIPT.findall(response.content.decode())]
    assert data["@type"] == "Event"
    assert data["name"] == "Fest-noz"
    assert data["url"] == event.full_url


def test_jsonld_cannot_break_out_of_its_script_element(client, commune):
    title = "Soirée </script><script>alert(1)</script> & <!-- fin"
    make_event(commune, title=title, slug="soiree")
    html = client.get("/agenda/soiree/", HTTP_HOST="donges.localhost").content.decode()
    (script,) = SCRIPT.findall(html)
    assert "<" not in script and ">" not in script and "&" not in script
    assert json.loads(script)["name"] == title


def test_jsonld_tag_renders_nothing_without_a_page():
    template = Template("{% load clocher_jsonld %}[{% jsonld page %}]")
    assert template.render(Context({"page": None})) == "[]"


def test_bulk_builds_compute_each_page_url_once_with_the_same_result(commune, monkeypatch):
    from wagtail.models import Page, Site

    from cms.readmodel.payloads import commune_ref_for
    from cms.readmodel.services import item_values, site_root_paths_pinned

    events = [make_event(commune, title=f"Marché {number}", start=dt.datetime.combine(
        days_ahead(30 + number), dt.time(9), tzinfo=dt.UTC)) for number in (1, 2)]
    published = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    for event in events:
        # Unpublished, a page's `updated_at` is now(): give it a fixed one to compare.
        event.last_published_at = published

    def values_of_all():
        return [item_values(page=event, commune=commune_ref_for(page=event), translations=[],
                            category_slugs=[], sharing=([], [])) for event in events]

    unpinned = values_of_all()
    computed = []
    original = Page.get_full_url
    monkeypatch.setattr(Page, "get_full_url", lambda page, request=None: (
        computed.append(page.pk), original(page, request))[1])
    with site_root_paths_pinned(Site.get_site_root_paths()):
        pinned = values_of_all()
    assert pinned == unpinned
    assert pinned[0]["url"] == "http://donges.localhost/agenda/marche-1/"
    # Each event's row, its JSON-LD url, and the commune shared by both: once each.
    assert sorted(computed) == sorted([events[0].pk, events[1].pk, commune.pk])
    computed.clear()
    values_of_all()  # outside the block, nothing is remembered
    assert len(computed) == 6

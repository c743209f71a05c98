"""RSS, Atom and iCalendar feeds: well-formed, right items, time zones, bad input."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from cms.content.models import (
    AlertIndexPage,
    AlertSeverity,
    EventIndexPage,
    NewsIndexPage,
)
from tests.factories import (
    AlertPageFactory,
    CategoryFactory,
    EventPageFactory,
    NewsPageFactory,
    make_commune,
    section,
)

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own output)
    return channel.findall("item")


def calendar_of(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_summary(calendar: Calendar) -> dict:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def next_week_at(hour: int, minute: int = 0, zone=PARIS) -> dt.datetime:
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=7)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


# --- RSS and Atom -------------------------------------------------------------------


def test_news_rss_lists_news_and_alerts_newest_first(client, commune):
    news = section(commune, NewsIndexPage)
    today = timezone.localdate()
    NewsPageFactory(parent=news, title="Vieille nouvelle", date=today - dt.timedelta(days=10))
    NewsPageFactory(parent=news, title="Nouvelle récente", date=today - dt.timedelta(days=1),
                    lead="Le conseil municipal a voté.")
    AlertPageFactory(parent=section(commune, AlertIndexPage), title="Coupure d'eau",
                     severity=AlertSeverity.URGENT, valid_from=timezone.now())
    NewsPageFactory(parent=news, title="Brouillon", date=today, live=False)

    items = rss_items(client.get("/api/feeds/donges/news.rss"))

    titles = [item.findtext("title") for item in items]
    assert titles == ["Urgent : Coupure d'eau", "Nouvelle récente", "Vieille nouvelle"]
    recent = items[1]
    assert recent.findtext("link").startswith("http://donges.localhost/actualites/")
    assert recent.findtext("description") == "Le conseil municipal a voté."
    assert recent.find("guid").get("isPermaLink") == "false"
    assert recent.findtext("pubDate")
    assert "urgent" in [c.text for c in items[0].findall("category")]


def test_feed_accepts_the_insee_code_and_keeps_guids_stable(client, commune):
    NewsPageFactory(parent=section(commune, NewsIndexPage), title="Marché de Noël")
    first = rss_items(client.get("/api/feeds/44052/news.rss"))
    second = rss_items(client.get("/api/feeds/donges/news.rss"))
    assert first[0].findtext("guid") == second[0].findtext("guid")
    assert first[0].findtext("guid").startswith("tag:donges.localhost,")


def test_neighbourhood_feed_attributes_neighbours_items(client, commune, neighbour_commune):
    NewsPageFactory(parent=section(commune, NewsIndexPage), title="Chez nous")
    NewsPageFactory(parent=section(neighbour_commune, NewsIndexPage), title="Chez Montoir")

    own = rss_items(client.get("/api/feeds/donges/news.rss"))
    assert [item.findtext("title") for item in own] == ["Chez nous"]

    items = rss_items(client.get("/api/feeds/donges/neighbourhood/news.rss"))
    creators = {item.findtext("title"): item.findtext("{http://purl.org/dc/elements/1.1/}creator")
                for item in items}
    assert creators == {"Chez nous": "Donges", "Chez Montoir": "via Montoir-de-Bretagne"}
    montoir = next(item for item in items if item.findtext("title") == "Chez Montoir")
    assert montoir.findtext("link").startswith("http://montoir-de-bretagne.localhost/")



def test_neighbourhood_radius_widens_the_feed(client, commune):
    # Savenay: about 11 km from Donges, in another EPCI, so outside the default 10 km.
    savenay = make_commune(insee_code="44195", name="Savenay", epci_code="244400552",
                           epci_name="Estuaire et Sillon", latitude=47.3617, longitude=-1.9425)
    NewsPageFactory(parent=section(savenay, NewsIndexPage), title="Chez Savenay")
    default = rss_items(client.get("/api/feeds/donges/neighbourhood/news.rss"))
    assert [item.findtext("title") for item in default] == []
    wider = rss_items(client.get("/api/feeds/donges/neighbourhood/news.rss?radius_km=15"))
    assert [item.findtext("title") for item in wider] == ["Chez Savenay"]


def test_atom_feed_is_well_formed_with_ids_and_authors(client, commune):
    NewsPageFactory(parent=section(commune, NewsIndexPage), title="Fête de la musique")
    response = client.get("/api/feeds/donges/news.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert feed.tag == f"{ATOM}feed"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Fête de la musique"
    assert entry.findtext(f"{ATOM}id").startswith("tag:donges.localhost,")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Donges"
    assert entry.find(f"{ATOM}link").get("href").startswith("http://donges.localhost/")


def test_news_feed_category_filter(client, commune):
    marche = CategoryFactory(slug="marche", name="Marché")
    news = section(commune, NewsIndexPage)
    NewsPageFactory(parent=news, title="Marché du samedi", categories=[marche])
    NewsPageFactory(parent=news, title="Conseil municipal")
    items = rss_items(client.get("/api/feeds/donges/news.rss?category=marche"))
    assert [item.findtext("title") for item in items] == ["Marché du samedi"]
    assert [c.text for c in items[0].findall("category")] == ["Marché"]


def test_conditional_request_gets_304(client, commune):
    NewsPageFactory(parent=section(commune, NewsIndexPage))
    first = client.get("/api/feeds/donges/news.rss")
    assert "max-age=" in first["Cache-Control"]
    again = client.get("/api/feeds/donges/news.rss", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


# --- iCalendar ----------------------------------------------------------------------


def test_calendar_has_paris_time_zone_and_wall_clock_times(client, commune):
    start = next_week_at(20, 30)
    EventPageFactory(
        parent=section(commune, EventIndexPage), title="Concert", start=start,
        end=start + dt.timedelta(hours=2), venue_name="Église Saint-Martin",
        address="Place de l'Église", latitude=47.318, longitude=-2.075,
        organiser="Comité des fêtes", is_free=True, summary="Chorale et fanfare.",
    )
    response = client.get("/api/feeds/donges/events.ics")
    assert response["Content-Disposition"] == 'inline; filename="donges-agenda.ics"'
    calendar = calendar_of(response)

    assert str(calendar["VERSION"]) == "2.0"
    assert "Clocher" in str(calendar["PRODID"])
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert "Donges" in str(calendar["X-WR-CALNAME"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]

    event = events_by_summary(calendar)["Concert"]
    assert b"DTSTART;TZID=Europe/Paris:" + start.strftime("%Y%m%dT203000").encode() in (
        response.content
    )
    assert event.decoded("DTSTART").replace(tzinfo=None) == start.replace(tzinfo=None)
    assert event.decoded("DTEND").utcoffset() == start.utcoffset()
    assert str(event["LOCATION"]) == "Église Saint-Martin, Place de l'Église, Donges"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (47.318, -2.075)
    assert str(event["URL"]).startswith("http://donges.localhost/agenda/")
    assert "Organisé par : Comité des fêtes" in str(event["DESCRIPTION"])
    for required in ("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE"):
        assert required in event


def test_all_day_events_use_dates_with_an_exclusive_end(client, commune):
    day = timezone.now().astimezone(PARIS).date() + dt.timedelta(days=5)
    event = EventPageFactory.build(
        title="Vide-greniers", all_day=True,
        start=dt.datetime.combine(day, dt.time(10), tzinfo=PARIS),
        end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(18), tzinfo=PARIS),
    )
    event.clean()  # stretches to whole days, as the admin form does
    section(commune, EventIndexPage).add_child(instance=event)

    calendar = calendar_of(client.get("/api/feeds/donges/events.ics"))
    vevent = events_by_summary(calendar)["Vide-greniers"]
    assert vevent["DTSTART"].params.get("VALUE") == "DATE"
    assert vevent.decoded("DTSTART") == day
    assert vevent.decoded("DTEND") == day + dt.timedelta(days=2)


def test_uid_is_stable_between_fetches(client, commune):
    event = EventPageFactory(parent=section(commune, EventIndexPage), title="Loto")
    first = events_by_summary(calendar_of(client.get("/api/feeds/donges/events.ics")))["Loto"]
    second = events_by_summary(calendar_of(client.get("/api/feeds/44052/events.ics")))["Loto"]
    assert str(first["UID"]) == str(second["UID"]) == f"event-{event.pk}@donges.localhost"


def test_reunion_event_carries_its_own_time_zone(client, commune):
    start = next_week_at(19, 0, zone=REUNION)
    agenda = section(commune, EventIndexPage)
    EventPageFactory(parent=agenda, title="Séga à Saint-Denis", start=start,
                     end=start + dt.timedelta(hours=3), time_zone="Indian/Reunion")
    EventPageFactory(parent=agenda, title="Ici", start=next_week_at(18))

    response = client.get("/api/feeds/donges/events.ics")
    calendar = calendar_of(response)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Paris", "Indian/Reunion"}
    assert b"DTSTART;TZID=Indian/Reunion:" + start.strftime("%Y%m%dT190000").encode() in (
        response.content
    )
    event = events_by_summary(calendar)["Séga à Saint-Denis"]
    assert event.decoded("DTSTART") == start


def test_unpublished_and_long_past_events_are_absent(client, commune):
    agenda = section(commune, EventIndexPage)
    EventPageFactory(parent=agenda, title="À venir")
    EventPageFactory(parent=agenda, title="Hier", start=timezone.now() - dt.timedelta(days=1))
    EventPageFactory(parent=agenda, title="Il y a longtemps",
                     start=timezone.now() - dt.timedelta(days=90))
    EventPageFactory(parent=agenda, title="Brouillon", live=False)
    summaries = set(events_by_summary(calendar_of(client.get("/api/feeds/donges/events.ics"))))
    assert summaries == {"À venir", "Hier"}


def test_category_filter_and_category_calendar(client, commune, neighbour_commune):
    marche = CategoryFactory(slug="marche", name="Marché")
    EventPageFactory(parent=section(commune, EventIndexPage), title="Marché bio",
                     categories=[marche])
    EventPageFactory(parent=section(commune, EventIndexPage), title="Loto")
    EventPageFactory(parent=section(neighbour_commune, EventIndexPage), title="Marché du port",
                     categories=[marche])

    calendar = calendar_of(client.get("/api/feeds/donges/events.ics?category=marche"))
    assert set(events_by_summary(calendar)) == {"Marché bio"}
    assert events_by_summary(calendar)["Marché bio"]["CATEGORIES"].cats == ["Marché"]

    response = client.get("/api/feeds/category/marche/events.ics")
    assert response["Content-Disposition"] == 'inline; filename="marche-agenda.ics"'
    assert set(events_by_summary(calendar_of(response))) == {"Marché bio", "Marché du port"}


def test_neighbourhood_calendar_includes_neighbours_events(client, commune, neighbour_commune):
    EventPageFactory(parent=section(commune, EventIndexPage), title="Loto")
    EventPageFactory(parent=section(neighbour_commune, EventIndexPage), title="Bal du port")
    calendar = calendar_of(client.get("/api/feeds/donges/neighbourhood/events.ics"))
    events = events_by_summary(calendar)
    assert set(events) == {"Loto", "Bal du port"}
    assert "via Montoir-de-Bretagne" in str(events["Bal du port"]["DESCRIPTION"])
    assert str(events["Bal du port"]["UID"]).endswith("@montoir-de-bretagne.localhost")


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/api/feeds/nulle-part/news.rss",
    "/api/feeds/99999/news.atom",
    "/api/feeds/nulle-part/events.ics",
    "/api/feeds/nulle-part/neighbourhood/events.ics",
])
def test_unknown_commune_is_a_json_404(client, commune, url):
    response = client.get(url)
    assert response.status_code == 404
    assert list(json.loads(response.content)["errors"]) == ["commune"]


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/feeds/donges/neighbourhood/news.rss?radius_km=loin", "radius_km"),
    ("/api/feeds/donges/neighbourhood/news.rss?radius_km=-3", "radius_km"),
    ("/api/feeds/donges/neighbourhood/events.ics?radius_km=nan", "radius_km"),
    ("/api/feeds/donges/neighbourhood/events.ics?radius_km=1e400", "radius_km"),
    ("/api/feeds/donges/neighbourhood/events.ics?radius_km=5000", "radius_km"),
    ("/api/feeds/donges/neighbourhood/events.ics?radius_km=", "radius_km"),
    ("/api/feeds/donges/events.ics?category=inconnue", "category"),
    ("/api/feeds/donges/news.atom?category=inconnue", "category"),
    ("/api/feeds/category/inconnue/events.ics", "category"),
])
def test_bad_parameters_are_a_json_400_naming_them(client, commune, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert (body["status"], body["code"]) == (400, "invalid_parameters")
    assert list(body["errors"]) == [parameter]


@pytest.mark.parametrize("url", [
    "/api/feeds/donges/neighbourhood/events.ics",
    "/api/feeds/donges/neighbourhood/news.rss",
])
def test_feed_queries_do_not_grow_with_the_items(
    client, commune, neighbour_commune, django_assert_num_queries, url
):
    marche = CategoryFactory(slug="marche", name="Marché")

    def add_items(count):
        for _ in range(count):
            for home in (commune, neighbour_commune):
                EventPageFactory(parent=section(home, EventIndexPage), categories=[marche])
                NewsPageFactory(parent=section(home, NewsIndexPage), categories=[marche])

    add_items(1)
    client.get(url)  # warm the site root paths cache

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_items(5)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)

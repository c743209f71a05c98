import datetime as dt

import pytest
from django.utils import timezone

from cms.content.models import AlertIndexPage, AlertSeverity, EventIndexPage
from cms.readmodel import listings as selectors
from tests.factories import AlertPageFactory, EventPageFactory, section

pytestmark = pytest.mark.django_db


def test_urgent_alerts_come_first_and_expired_ones_are_gone(commune):
    alerts = section(commune, AlertIndexPage)
    now = timezone.now()
    AlertPageFactory(parent=alerts, title="Travaux", severity=AlertSeverity.INFO,
                     valid_from=now - dt.timedelta(minutes=5))
    AlertPageFactory(parent=alerts, title="Coupure d'eau", severity=AlertSeverity.URGENT,
                     valid_from=now - dt.timedelta(days=2))
    AlertPageFactory(parent=alerts, title="Vigilance orange", severity=AlertSeverity.WARNING)
    AlertPageFactory(parent=alerts, title="Expirée", severity=AlertSeverity.URGENT,
                     valid_until=now - dt.timedelta(minutes=1),
                     valid_from=now - dt.timedelta(days=1))
    AlertPageFactory(parent=alerts, title="Future", valid_from=now + dt.timedelta(days=1))
    titles = [a.title for a in selectors.alert_list_active(communes=[commune])]
    assert titles == ["Coupure d'eau", "Vigilance orange", "Travaux"]


def test_urgent_alert_is_first_on_the_commune_home(client, commune):
    alerts = section(commune, AlertIndexPage)
    AlertPageFactory(parent=alerts, title="Info travaux", severity=AlertSeverity.INFO)
    AlertPageFactory(parent=alerts, title="Alerte crue", severity=AlertSeverity.URGENT)
    html = client.get("/", HTTP_HOST="donges.localhost").content.decode()
    assert html.index("Alerte crue") < html.index("Info travaux")


def test_upcoming_and_past_events(commune, neighbour_commune):
    now = timezone.now()
    agenda = section(commune, EventIndexPage)
    EventPageFactory(parent=agenda, title="Demain", start=now + dt.timedelta(days=1))
    EventPageFactory(parent=agenda, title="En cours", start=now - dt.timedelta(hours=1),
                     end=now + dt.timedelta(hours=1))
    EventPageFactory(parent=agenda, title="Hier", start=now - dt.timedelta(days=1),
                     end=now - dt.timedelta(hours=20))
    EventPageFactory(parent=section(neighbour_commune, EventIndexPage), title="Chez le voisin",
                     start=now + dt.timedelta(days=2))
    upcoming = [e.title for e in selectors.event_list_upcoming(communes=[commune])]
    assert upcoming == ["En cours", "Demain"]
    assert [e.title for e in selectors.event_list_past(communes=[commune])] == ["Hier"]
    around = selectors.neighbourhood_communes(commune=commune)
    assert [c.title for c in around] == ["Donges", "Montoir-de-Bretagne"]
    assert [e.title for e in selectors.event_list_upcoming(communes=around)] == [
        "En cours", "Demain", "Chez le voisin"]


def test_unpublished_pages_are_not_listed(commune):
    event = EventPageFactory(parent=section(commune, EventIndexPage), title="Annulé")
    event.unpublish()
    assert not selectors.event_list_upcoming(communes=[commune]).exists()


def test_wagtail_pages_api_exposes_the_event_fields(client, commune):
    event = EventPageFactory(parent=section(commune, EventIndexPage), title="Concert",
                             latitude=47.3, longitude=-2.07, is_free=True)
    response = client.get(f"/api/v2/pages/{event.pk}/", HTTP_HOST="donges.localhost")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Concert"
    assert body["commune_insee_code"] == "44052"
    assert (body["latitude"], body["is_free"], body["time_zone"]) == (47.3, True, "Europe/Paris")


def test_agenda_attributes_neighbours_events(client, commune, neighbour_commune):
    EventPageFactory(parent=section(commune, EventIndexPage), title="Loto")
    EventPageFactory(parent=section(neighbour_commune, EventIndexPage), title="Brocante")
    html = client.get("/agenda/", HTTP_HOST="donges.localhost").content.decode()
    assert "Loto" in html and "Brocante" in html
    # The neighbour's event names its commune first on its card; Donges' own does not.
    assert html.count('<strong class="card__commune">Montoir-de-Bretagne</strong>') == 1
    assert html.count('class="card__commune"') == 1

"""The commune home: its cards load only what they show; its neighbours follow the map."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.communes.selectors import commune_list
from frontend.home import home_context

from .conftest import HOST

pytestmark = pytest.mark.django_db


def test_home_cards_show_their_fields(client, site_content):
    html = client.get("/", HTTP_HOST=HOST).content.decode()
    news_date = site_content["news"].date
    assert "Urgent" in html and "Coupure d&#x27;eau" in html  # the alert's severity label
    assert "La rue sera fermée." in html  # the news' lead
    assert f'<time datetime="{news_date:%Y-%m-%d}">' in html  # the news' date
    assert "Ouverte du lundi au samedi." in html  # the info's summary
    assert "Club de foot</a> <span class=\"meta\">association</span>" in html  # entry kind


def test_home_cards_read_no_deferred_field(site_content, commune):
    """The home's own listings load their cards' fields at once: reading what the cards
    read costs no query (a field missing from frontend.home's lists would cost one a
    card)."""
    context = home_context(commune=commune)
    cards = {name: list(context[name]) for name in ("alerts", "news", "directory", "infos")}
    assert all(cards.values())
    with CaptureQueriesContext(connection) as captured:
        shown = [
            *((alert.title, alert.url_path, alert.severity_name, alert.is_urgent,
               alert.get_severity_display()) for alert in cards["alerts"]),
            *((item.title, item.url_path, item.date, item.lead, item.image)
              for item in cards["news"]),
            *((entry.title, entry.url_path, entry.get_kind_display())
              for entry in cards["directory"]),
            *((info.title, info.url_path, info.summary) for info in cards["infos"]),
        ]
    assert captured.captured_queries == []
    assert ("Horaires de la mairie", site_content["info"].url_path,
            "Ouverte du lundi au samedi.") in shown


def test_home_neighbours_follow_a_commune_that_moves(client, commune, far_commune):
    """Guérande (25 km, another EPCI) becomes a neighbour of Donges once its centre
    moves within the radius, and stops being one when it moves back."""

    def neighbours() -> str:
        html = client.get("/", HTTP_HOST=HOST).content.decode()
        return html[html.find('class="neighbours"'):] if 'class="neighbours"' in html else ""

    assert "Guérande" not in neighbours()
    far_commune.latitude, far_commune.longitude = 47.33, -2.10
    far_commune.save(update_fields=["latitude", "longitude"])
    assert "Guérande" in neighbours()
    far_commune.latitude, far_commune.longitude = 47.32833, -2.42917
    far_commune.save(update_fields=["latitude", "longitude"])
    assert "Guérande" not in neighbours()


def test_commune_list_is_the_source_locale_and_local_communes(commune, neighbour_commune):
    from wagtail.models import Locale

    from tests.factories import make_commune

    english = Locale.objects.get(language_code="en")
    commune.copy_for_translation(english, copy_parents=True).save_revision().publish()
    mirror = make_commune(insee_code="44999", name="Miroir")
    type(mirror).objects.filter(pk=mirror.pk).update(origin_server="peer.example")
    listed = list(commune_list())
    assert listed == [commune, neighbour_commune]  # by name; no translation, no mirror
    assert {c.locale_id for c in listed} == {Locale.get_default().pk}

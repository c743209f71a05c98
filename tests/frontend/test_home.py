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
    """The home's listings load their cards' fields at once: reading what the cards
    read costs no query (a field missing from frontend.home's lists would cost one a
    card)."""
    context = home_context(commune=commune)
    cards = {name: list(context[name])
             for name in ("alerts", "news", "directory", "infos", "events")}
    assert all(cards.values())
    # The events are loaded without their bodies (PageListing.only).
    assert "body" in cards["events"][0].get_deferred_fields()
    with CaptureQueriesContext(connection) as captured:
        shown = [
            *((alert.title, alert.url_path, alert.severity_name, alert.is_urgent,
               alert.get_severity_display()) for alert in cards["alerts"]),
            *((item.title, item.url_path, item.date, item.lead, item.image)
              for item in cards["news"]),
            *((entry.title, entry.url_path, entry.get_kind_display())
              for entry in cards["directory"]),
            *((info.title, info.url_path, info.summary) for info in cards["infos"]),
            *((event.title, event.url_path, event.start, event.end, event.all_day,
               event.venue_name, event.summary, event.image, event.latitude, event.longitude)
              for event in cards["events"]),
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


def test_home_listings_keep_their_order_and_shares(commune, neighbour_commune):
    """The home's listings come from the API's read model (cms.api.selectors.item_list)
    and keep the page tree's rules: shared items the commune accepted, the featured ones
    first among the news, hidden ones left out, urgent alerts first, infos by topic then
    title; and they follow publishing."""
    import datetime as dt

    from django.utils import timezone

    from cms.content.models import AlertSeverity
    from federation.models import AcceptanceRule, SharedItem
    from federation.sharing import share_decide
    from tests.factories import make_alert, make_directory, make_info, make_news, publish
    from tests.federation.conftest import sharing_policy

    sharing_policy(commune, kinds=("news", "alert", "info", "directory"))
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_commune=commune,
                                  decision="accept")
    today = timezone.localdate()
    featured = publish(make_news(commune, title="Fête du port",
                                 date=today - dt.timedelta(days=5)))
    hidden = publish(make_news(commune, title="Brocante", date=today))
    shared = publish(make_news(commune, title="Marché de Noël",
                               date=today - dt.timedelta(days=1)))
    own = make_news(neighbour_commune, title="Conseil municipal",
                    date=today - dt.timedelta(days=2))
    for page, action in ((featured, "feature"), (hidden, "hide")):
        share_decide(share=SharedItem.objects.get(page=page, receiver=neighbour_commune),
                     action=action, user=None)
    publish(make_alert(commune, title="Tempête", severity=AlertSeverity.URGENT))
    make_alert(neighbour_commune, title="Travaux", severity=AlertSeverity.INFO,
               valid_from=timezone.now() - dt.timedelta(minutes=5))  # newer, less severe
    make_info(neighbour_commune, title="Accueil de la mairie", topic="town_hall")
    make_info(neighbour_commune, title="Crèche", topic="schools")
    make_info(neighbour_commune, title="Cantine", topic="schools")
    publish(make_info(commune, title="Bibliothèque", topic="other"))
    make_directory(neighbour_commune, title="Judo club")

    def listed():
        context = home_context(commune=neighbour_commune)
        return {name: [page.title for page in context[name]]
                for name in ("news", "alerts", "infos", "directory")}

    assert listed() == {
        "news": ["Fête du port", "Marché de Noël", "Conseil municipal"],
        "alerts": ["Tempête", "Travaux"],
        "infos": ["Bibliothèque", "Cantine", "Crèche", "Accueil de la mairie"],
        "directory": ["Judo club"],
    }
    assert [page.title for page in home_context(commune=commune)["news"]] == [
        "Brocante", "Marché de Noël", "Fête du port"]  # the origin lists all three
    shared.unpublish()
    own.unpublish()
    assert listed()["news"] == ["Fête du port"]
    publish(shared)
    assert listed()["news"] == ["Fête du port", "Marché de Noël"]

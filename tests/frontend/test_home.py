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


def _summarised(communes) -> list[tuple]:
    return [(c.pk, c.title, c.path, c.url_path, c.locale_id, c.insee_code) for c in communes]


def test_neighbours_are_read_as_summaries_of_the_same_communes(commune, neighbour_commune,
                                                                far_commune):
    """neighbourhood_summaries names the communes neighbourhood_communes lists, in the
    same order and locale; in another language, untranslated neighbours are left out."""
    from cms.communes.selectors import CommuneSummary
    from cms.readmodel import listings as selectors

    from .test_i18n import publish_translation

    summaries = selectors.neighbourhood_summaries(commune=commune)
    assert summaries[0] is commune
    assert all(isinstance(c, CommuneSummary) for c in summaries[1:])
    assert _summarised(summaries) == _summarised(
        selectors.neighbourhood_communes(commune=commune))
    assert _summarised(summaries)[1][1] == "Montoir-de-Bretagne"
    english = publish_translation(commune, "en")
    english_neighbour = publish_translation(neighbour_commune, "en")
    assert _summarised(selectors.neighbourhood_summaries(commune=english)) == _summarised(
        selectors.neighbourhood_communes(commune=english)) == _summarised(
        [english, english_neighbour])
    assert _summarised(selectors.neighbourhood_summaries(commune=commune, radius_km=30)) == (
        _summarised(selectors.neighbourhood_communes(commune=commune, radius_km=30)))


def test_home_links_its_neighbours_in_its_language(client, commune, neighbour_commune):
    from .test_i18n import publish_translation

    def neighbours(path) -> str:
        html = client.get(path, HTTP_HOST=HOST).content.decode()
        return html[html.find('class="neighbours"'):]

    assert f'<a href="{neighbour_commune.get_full_url()}">Montoir-de-Bretagne</a>' in (
        neighbours("/"))
    publish_translation(commune, "en")
    english_neighbour = publish_translation(neighbour_commune, "en")
    english_neighbour.title = "Montoir (en)"
    english_neighbour.save_revision().publish()
    assert english_neighbour.get_full_url().endswith("/en/")
    assert f'<a href="{english_neighbour.get_full_url()}">Montoir (en)</a>' in (
        neighbours("/en/"))


def test_home_events_load_only_what_their_cards_read(site_content, commune):
    """The events listing skips the bodies; what the cards, the month view and the map
    read costs no query."""
    events = home_context(commune=commune)["events"]
    assert events
    with CaptureQueriesContext(connection) as captured:
        shown = [(event.title, event.url_path, event.path, event.start, event.end,
                  event.all_day, event.venue_name, event.summary, event.image,
                  event.latitude, event.longitude, event.origin) for event in events]
    assert captured.captured_queries == []
    assert all("body" in event.get_deferred_fields() for event in events)
    assert site_content["neighbour_event"].title in [row[0] for row in shown]


def test_home_names_the_commune_that_shared_a_news_or_an_alert(client, commune,
                                                             neighbour_commune):
    """A neighbour's news and alert that Donges accepted are listed on its home with
    the neighbour's name first (before the title); Donges's own news has no such line."""
    from federation.models import SharedItem
    from federation.sharing import share_decide
    from tests.factories import make_alert, make_news, publish
    from tests.federation.conftest import sharing_policy

    sharing_policy(neighbour_commune, radius_km=10)
    publish(make_news(commune, title="Fête de l'école"))
    shared = [publish(make_news(neighbour_commune, title="Vide-grenier du port")),
              publish(make_alert(neighbour_commune, title="Coupure d'eau rue du Marais"))]
    for page in shared:
        share_decide(share=SharedItem.objects.get(page=page, receiver=commune),
                     action="accept", user=None)

    html = client.get("/", HTTP_HOST=HOST).content.decode()
    for title in ("Vide-grenier du port", "Coupure d&#x27;eau rue du Marais"):
        before = html[:html.index(title)]
        card = before[max(before.rfind("<article"), before.rfind('<div class="alert')):]
        assert '<strong class="card__commune">Montoir-de-Bretagne</strong>' in card, title
    before = html[:html.index("Fête de l&#x27;école")]
    own_card = html[before.rfind("<article"):]
    assert "card__commune" not in own_card[:own_card.index("</article>")]

"""A kind added by a test-only app (tests/kinds_app: one module, one template, its
app in the test settings) is served like the built-in ones, with no other change: API
list, filters and detail, the change feed, search, a feed, its section in every new
commune, its resident page and sharing with neighbours. Federation between two live
instances: tests/federation/e2e/test_extra_kind_two_instances.py."""

import datetime as dt
import json
from xml.etree import ElementTree

import pytest
import wagtail_factories
from django.utils import timezone

from cms.content.kinds import kind_named, kind_of_page
from federation.models import AcceptanceRule, SharedItem, ShareState
from tests.factories import changes_numbered, section
from tests.federation.conftest import sharing_policy
from tests.kinds_app.models import MarketIndexPage, MarketPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_cache")]


class MarketPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = MarketPage

    title = "Marché"
    place = "Place de l'église"
    stalls = 12


def make_market(commune, *, days: float = 3, **kwargs) -> MarketPage:
    start = timezone.now() + dt.timedelta(days=days)
    return MarketPageFactory(parent=section(commune, MarketIndexPage), start=start,
                             end=start + dt.timedelta(hours=4), **kwargs)


def _get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:500]
    return response


def test_the_kind_is_registered_and_every_new_commune_has_its_section(commune):
    kind = kind_named("market")
    assert kind is not None and kind.model is MarketPage
    index = section(commune, MarketIndexPage)
    assert (index.title, index.slug) == ("Marchés de producteurs", "marches-de-producteurs")
    assert index.live


def test_api_lists_filters_and_details_the_kind(client, commune, neighbour_commune):
    ours = make_market(commune, title="Marché du jeudi", summary="Fruits et légumes.")
    later = make_market(commune, title="Marché de Noël", days=40)
    past = make_market(commune, title="Marché d'hier", days=-2)
    theirs = make_market(neighbour_commune, title="Marché de Montoir")

    body = _get(client, "/api/markets", commune="44052").json()
    # Its own order (start) and its own default filter (not over yet).
    assert [item["id"] for item in body["results"]] == [ours.pk, later.pk]
    listed = body["results"][0]
    assert (listed["kind"], listed["place"], listed["stalls"]) == (
        "market", "Place de l'église", 12)
    assert listed["commune"]["insee"] == "44052"

    both = _get(client, "/api/markets", commune="44052,44103").json()
    assert {item["id"] for item in both["results"]} == {ours.pk, later.pk, theirs.pk}

    # Its own parameters ("dated": a span of start times, past ones included) are
    # validated; another kind's are not accepted.
    span = _get(client, "/api/markets", commune="44052",
                start_before=(timezone.now() + dt.timedelta(days=10)).isoformat()).json()
    assert [item["id"] for item in span["results"]] == [past.pk, ours.pk]
    refused = client.get("/api/markets", {"severity": "urgent"})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["severity"]

    detail = _get(client, f"/api/markets/{ours.pk}").json()
    assert (detail["id"], detail["title"], detail["summary"]) == (
        ours.pk, "Marché du jeudi", "Fruits et légumes.")
    assert client.get(f"/api/news/{ours.pk}").status_code == 404


def test_openapi_documents_the_kind(client):
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = spec["paths"]["/api/markets"]["get"]
    assert {"start_after", "start_before", "commune"} <= {p["name"] for p in listing["parameters"]}
    assert "/api/markets/{item_id}" in spec["paths"]


def test_change_feed_carries_the_kind(client, commune):
    market = make_market(commune, title="Marché bio")
    changes_numbered()
    body = _get(client, "/api/changes", kind="market").json()
    entries = [entry for entry in body["results"] if entry["id"] == market.pk]
    assert entries and entries[0]["action"] == "created"
    assert entries[0]["kind"] == "market" and entries[0]["item"]["title"] == "Marché bio"
    # Filtering by another kind leaves it out.
    news_only = _get(client, "/api/changes", kind="news").json()
    assert market.pk not in {entry["id"] for entry in news_only["results"]}


def test_the_kind_is_searchable(client, commune, settings):
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}
    from search.backends import get_search_backend
    from search.query import communes_cache_clear
    from search.services import outbox_drain

    communes_cache_clear()
    market = make_market(commune, title="Marché des producteurs de Donges",
                         place="Halle aux grains")
    outbox_drain(force=True)
    get_search_backend().refresh()

    body = _get(client, "/api/search", q="halle grains", commune="44052").json()
    assert [(hit["id"], hit["kind"]) for hit in body["results"]] == [(market.pk, "market")]
    kinds = {bucket["value"] for bucket in body["facets"]["kind"]}
    assert "market" in kinds
    only = _get(client, "/api/search", q="halle grains", kind="market").json()
    assert only["total"] == 1
    communes_cache_clear()


def test_the_kind_has_a_feed(client, commune):
    market = make_market(commune, title="Marché du soir", summary="Producteurs locaux.")
    rss = _get(client, "/api/feeds/donges/markets.rss")
    channel = ElementTree.fromstring(rss.content).find("channel")  # noqa: S314 (our own output)
    assert channel.findtext("title") == "Donges : marchés"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Marché : Marché du soir"]
    assert items[0].findtext("description") == "Producteurs locaux."
    assert {c.text for c in items[0].findall("category")} == {"marché"}
    assert market.get_full_url() in items[0].findtext("link")
    atom = _get(client, "/api/feeds/44052/markets.atom")
    assert "Marché du soir" in atom.content.decode()
    # Its items are in its own feed, not in the news feed.
    assert "Marché du soir" not in _get(client, "/api/feeds/donges/news.rss").content.decode()


def test_the_resident_site_renders_its_page_with_its_template(client, commune):
    market = make_market(commune, title="Marché fermier", place="Halle du port")
    response = client.get(market.url, HTTP_HOST=market.get_site().hostname)
    assert response.status_code == 200
    assert b"Halle du port" in response.content
    assert "kinds_app/market_page.html" in [t.name for t in response.templates]


def test_shared_with_an_accepting_neighbour(client, commune, neighbour_commune, far_commune):
    sharing_policy(commune, kinds=["market"], radius_km=10)
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_commune=commune,
                                  decision="accept")
    market = make_market(commune, title="Marché partagé")

    share = SharedItem.objects.get(page=market, receiver=neighbour_commune)
    assert share.state == ShareState.ACCEPTED and share.kind == "market"
    assert not SharedItem.objects.filter(page=market, receiver=far_commune).exists()

    body = _get(client, "/api/markets", commune="44103").json()
    by_id = {item["id"]: item for item in body["results"]}
    assert market.pk in by_id
    assert by_id[market.pk]["shared_with"] == ["44103"]
    assert by_id[market.pk]["commune"]["insee"] == "44052"
    # Its neighbourhood feed lists it too, attributed to its commune.
    feed = _get(client, "/api/feeds/montoir-de-bretagne/markets.rss").content.decode()
    assert "Marché partagé" in feed and "via Donges" in feed


def test_a_kind_not_shared_by_the_rules_stays_home(commune, neighbour_commune):
    sharing_policy(commune, kinds=["news"], radius_km=10)
    market = make_market(commune)
    assert kind_of_page(market).name == "market"
    assert not SharedItem.objects.filter(page=market).exists()


def test_federation_object_round_trip(commune):
    """What a peer receives is what this kind reads back (the live round trip between
    two instances is in tests/federation/e2e)."""
    from federation.activitypub.outbound import page_to_ap
    from federation.activitypub.wire import parse_object

    market = make_market(commune, title="Marché d'été", summary="Fraises.")
    obj = page_to_ap(market)
    assert (obj["type"], obj["clocherKind"]) == ("Event", "market")
    parsed = parse_object(json.loads(json.dumps(obj)))
    copy = MarketPage()
    kind_named("market").from_ap(copy, parsed)
    assert copy.start == market.start and copy.place == market.place
    assert copy.summary == "Fraises."

"""Sharing inside one deployment: rules, acceptance, references seen by every reader."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from cms.api import keys as api_keys
from cms.readmodel import listings as content_selectors
from cms.readmodel.models import PublishedItem
from federation import selectors as federation_selectors
from federation.models import AcceptanceRule, SharedItem, ShareState
from federation.sharing import acceptance_decide, share_create, share_decide, shares_sync
from federation.sharing.selectors import sharing_audience
from federation.sharing.services import ShareTransitionError, shares_reevaluate
from tests.factories import make_alert, make_commune, make_event, make_news, publish, worker_pass

from .conftest import sharing_policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_cache")]


def _share(page, receiver):
    return SharedItem.objects.get(page=page, receiver=receiver)


def _accept_all_from(receiver, origin):
    AcceptanceRule.objects.create(receiver=receiver, source_commune=origin, decision="accept")


# --- who receives what --------------------------------------------------------------


def test_publish_shares_with_neighbours_pending_until_accepted(commune, neighbour_commune,
                                                               far_commune):
    sharing_policy(commune, radius_km=10)
    news = publish(make_news(commune, title="Vide-grenier du port"))

    share = _share(news, neighbour_commune)
    assert share.state == ShareState.PENDING
    assert share.origin_commune == commune
    assert not SharedItem.objects.filter(receiver=far_commune).exists()  # 25 km away
    # Pending: not listed by the receiver yet.
    assert news.pk not in {p.pk for p in content_selectors.news_list(communes=[neighbour_commune])}

    share_decide(share=share, action="accept", user=None)

    listed = {p.pk: p for p in content_selectors.news_list(communes=[neighbour_commune])}
    assert news.pk in listed
    assert listed[news.pk].shared_via == "Donges"
    assert federation_selectors.item_receivers(page_id=news.pk) == ["44103"]


def test_radius_never_reaches_a_commune_without_coordinates(commune, neighbour_commune):
    # Same EPCI as Donges but no position: a radius cannot say it is near, whatever the
    # radius; only the EPCI audience reaches it.
    unplaced = make_commune(insee_code="44997", name="Sans position", latitude=None,
                            longitude=None)
    assert unplaced.epci_code == commune.epci_code
    policy = sharing_policy(commune, radius_km=100)
    assert unplaced not in sharing_audience(policy=policy)
    assert neighbour_commune in sharing_audience(policy=policy)

    policy = sharing_policy(unplaced, radius_km=100)
    assert sharing_audience(policy=policy) == []

    policy = sharing_policy(commune, radius_km=None, epci=True)
    assert unplaced in sharing_audience(policy=policy)


def test_audience_epci_department_and_named_communes(commune, neighbour_commune, far_commune):
    other_department = make_commune(insee_code="35238", name="Rennes", department_code="35",
                                    epci_code="243500139", latitude=48.11, longitude=-1.68)
    sharing_policy(commune, radius_km=None, epci=True)
    news = make_news(commune)
    assert set(SharedItem.objects.filter(page=news).values_list("receiver__insee_code",
                                                                flat=True)) == {"44103"}

    sharing_policy(commune, radius_km=None, department=True)
    news = make_news(commune)
    assert set(SharedItem.objects.filter(page=news).values_list("receiver__insee_code",
                                                                flat=True)) == {"44103", "44069"}

    sharing_policy(commune, radius_km=None, named=[other_department])
    news = make_news(commune)
    assert set(SharedItem.objects.filter(page=news).values_list("receiver__insee_code",
                                                                flat=True)) == {"35238"}


def test_kinds_and_categories_limit_what_is_shared(commune, neighbour_commune, culture):
    sharing_policy(commune, kinds=["event"], categories=[culture])
    assert not SharedItem.objects.filter(page=make_news(commune, categories=[culture])).exists()
    assert not SharedItem.objects.filter(page=make_event(commune)).exists()
    assert SharedItem.objects.filter(page=make_event(commune, categories=[culture])).exists()


def test_no_rules_share_nothing(commune, neighbour_commune):
    assert not SharedItem.objects.filter(page=make_news(commune)).exists()


# --- acceptance rules ---------------------------------------------------------------


def test_acceptance_rules_most_specific_wins(commune, neighbour_commune, far_commune):
    assert acceptance_decide(receiver=neighbour_commune, kind="news",
                             source_commune=commune) == "review"
    AcceptanceRule.objects.create(receiver=neighbour_commune, kind="event", decision="accept")
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_commune=commune,
                                  decision="accept")
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_commune=commune,
                                  kind="alert", decision="review")
    assert acceptance_decide(receiver=neighbour_commune, kind="news",
                             source_commune=commune) == "accept"
    assert acceptance_decide(receiver=neighbour_commune, kind="alert",
                             source_commune=commune) == "review"
    assert acceptance_decide(receiver=neighbour_commune, kind="event",
                             source_commune=far_commune) == "accept"
    assert acceptance_decide(receiver=neighbour_commune, kind="news",
                             source_commune=far_commune) == "review"
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_server="peer.example",
                                  decision="accept")
    assert acceptance_decide(receiver=neighbour_commune, kind="news",
                             source_server="PEER.example") == "accept"


def test_auto_accept_makes_the_item_visible_at_publish(commune, neighbour_commune):
    sharing_policy(commune)
    _accept_all_from(neighbour_commune, commune)
    news = publish(make_news(commune))
    assert _share(news, neighbour_commune).state == ShareState.ACCEPTED
    assert news.pk in {p.pk for p in content_selectors.news_list(communes=[neighbour_commune])}


def test_default_acceptance_of_the_receiver(commune, neighbour_commune):
    sharing_policy(commune)
    sharing_policy(neighbour_commune, kinds=[], default_acceptance="accept")
    assert _share(make_news(commune), neighbour_commune).state == ShareState.ACCEPTED


def test_share_create_for_remote_content_goes_through_acceptance(commune, neighbour_commune):
    news = make_news(commune)
    share = share_create(page=news, receiver=neighbour_commune, source_server="peer.example")
    assert (share.state, share.by_rule, share.source_server) == ("pending", False,
                                                                 "peer.example")
    # Explicit references survive the origin's rules.
    shares_reevaluate(commune=commune)
    assert SharedItem.objects.filter(pk=share.pk).exists()
    with pytest.raises(ValueError):
        share_create(page=news, receiver=commune)

    other = make_news(commune)
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_server="peer.example",
                                  decision="accept")
    assert share_create(page=other, receiver=neighbour_commune,
                        source_server="peer.example").state == "accepted"


# --- a reference, not a copy --------------------------------------------------------


@pytest.fixture
def shared_news(commune, neighbour_commune):
    sharing_policy(commune)
    _accept_all_from(neighbour_commune, commune)
    return publish(make_news(commune, title="Fête de la musique"))


def test_updates_reach_the_receiver_without_a_copy(shared_news, neighbour_commune):
    pages_before = Page.objects.count()
    shared_news.title = "Fête de la musique (reportée)"
    publish(shared_news)
    assert Page.objects.count() == pages_before
    assert SharedItem.objects.filter(page=shared_news).count() == 1
    listed = content_selectors.news_list(communes=[neighbour_commune])
    assert [p.title for p in listed if p.pk == shared_news.pk] == ["Fête de la musique (reportée)"]


def test_unpublish_and_delete_reach_every_receiver(client, shared_news, neighbour_commune):
    assert _api_ids(client, "news", "44103") == [shared_news.pk]
    shared_news.unpublish()
    assert shared_news.pk not in {
        p.pk for p in content_selectors.news_list(communes=[neighbour_commune])}
    assert _api_ids(client, "news", "44103") == []

    publish(shared_news)  # republished: the receiver's acceptance still holds
    assert _api_ids(client, "news", "44103") == [shared_news.pk]

    Page.objects.get(pk=shared_news.pk).delete()
    assert not SharedItem.objects.filter(page_id=shared_news.pk).exists()
    assert _api_ids(client, "news", "44103") == []


def test_hide_and_feature_without_forking(client, commune, neighbour_commune, shared_news):
    own = make_news(neighbour_commune, title="Conseil municipal")
    share = _share(shared_news, neighbour_commune)

    share_decide(share=share, action="feature", user=None)
    titles = [p.title for p in content_selectors.news_list(communes=[neighbour_commune])]
    assert titles[0] == "Fête de la musique"  # featured first, although older
    assert "Conseil municipal" in titles

    share_decide(share=share, action="hide", user=None)
    share.refresh_from_db()
    assert (share.state, share.featured) == ("hidden", False)
    assert [p.pk for p in content_selectors.news_list(communes=[neighbour_commune])] == [own.pk]
    # The origin is untouched and still lists its item.
    assert shared_news.pk in {p.pk for p in content_selectors.news_list(communes=[commune])}
    assert _api_ids(client, "news", "44052") == [shared_news.pk]

    with pytest.raises(ShareTransitionError):
        share_decide(share=share, action="feature", user=None)
    with pytest.raises(ShareTransitionError):
        share_decide(share=share, action="nonsense", user=None)
    share_decide(share=share, action="accept", user=None)
    assert shared_news.pk in {
        p.pk for p in content_selectors.news_list(communes=[neighbour_commune])}


# --- re-evaluation ------------------------------------------------------------------


def test_rule_change_reevaluates_existing_items(commune, neighbour_commune, far_commune):
    from federation.sharing.services import sharing_policy_save

    policy = sharing_policy(commune, radius_km=10)
    news = make_news(commune)
    event = make_event(commune)
    assert SharedItem.objects.filter(receiver=neighbour_commune).count() == 2

    policy.kinds = ["event"]
    policy.radius_km = 30
    sharing_policy_save(policy=policy, categories=[], named_communes=[], user=None)
    worker_pass("sharing.reevaluate")  # the re-evaluation runs in the worker

    assert not SharedItem.objects.filter(page=news).exists()
    assert set(SharedItem.objects.filter(page=event).values_list("receiver__insee_code",
                                                                 flat=True)) == {"44103",
                                                                                 "44069"}


def test_acceptance_rule_change_accepts_pending_items(commune, neighbour_commune):
    from federation.sharing.services import acceptance_rules_apply

    sharing_policy(commune)
    news = make_news(commune)
    share = _share(news, neighbour_commune)
    share_decide(share=share, action="hide", user=None)
    pending = _share(make_news(commune), neighbour_commune)
    _accept_all_from(neighbour_commune, commune)
    assert acceptance_rules_apply(receiver=neighbour_commune) == 1
    pending.refresh_from_db()
    share.refresh_from_db()
    assert pending.state == "accepted"
    assert share.state == "hidden"  # a person's decision stays


def test_shares_sync_is_idempotent(commune, neighbour_commune):
    sharing_policy(commune)
    news = make_news(commune)
    shares_sync(page=news)
    shares_sync(page=news)
    assert SharedItem.objects.filter(page=news).count() == 1


# --- readers: selectors, API, feeds -------------------------------------------------


def _api(client, kind, commune, **headers):
    response = client.get(f"/api/{kind}", {"commune": commune}, **headers)
    assert response.status_code in (200, 304), response.content
    return response


def _api_ids(client, kind, commune):
    return [item["id"] for item in json.loads(_api(client, kind, commune).content)["results"]]


def test_api_lists_shared_items_with_attribution(client, shared_news, neighbour_commune):
    own = make_news(neighbour_commune, title="Conseil municipal")
    body = json.loads(_api(client, "news", "44103").content)
    by_id = {item["id"]: item for item in body["results"]}
    assert set(by_id) == {shared_news.pk, own.pk}
    shared = by_id[shared_news.pk]
    assert shared["commune"]["name"] == "Donges"
    assert shared["url"] == shared_news.get_full_url()
    assert shared["shared_with"] == ["44103"]
    assert by_id[own.pk]["shared_with"] == []

    detail = json.loads(client.get(f"/api/news/{shared_news.pk}").content)
    assert (detail["commune"]["insee"], detail["shared_with"]) == ("44052", ["44103"])


def test_share_decision_changes_the_list_etag(client, shared_news, neighbour_commune):
    first = _api(client, "news", "44103")
    etag = first["ETag"]
    assert _api(client, "news", "44103", HTTP_IF_NONE_MATCH=etag).status_code == 304

    share_decide(share=_share(shared_news, neighbour_commune), action="hide", user=None)

    second = _api(client, "news", "44103", HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 200
    assert second["ETag"] != etag
    assert json.loads(second.content)["results"] == []


def test_api_list_queries_do_not_grow_with_shared_items(client, commune, neighbour_commune):
    sharing_policy(commune)
    _accept_all_from(neighbour_commune, commune)
    make_news(commune)
    _api(client, "news", "44103")
    from django.core.cache import cache

    from cms.readmodel import microcache

    cache.clear()
    microcache.clear()
    with CaptureQueriesContext(connection) as few:
        _api(client, "news", "44103")
    for _ in range(5):
        make_news(commune)
    cache.clear()
    microcache.clear()
    with CaptureQueriesContext(connection) as many:
        body = json.loads(_api(client, "news", "44103").content)
    assert len(body["results"]) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_content_listing_queries_do_not_grow(commune, neighbour_commune, far_commune):
    sharing_policy(commune)
    sharing_policy(far_commune, radius_km=None, named=[neighbour_commune])
    _accept_all_from(neighbour_commune, commune)
    _accept_all_from(neighbour_commune, far_commune)

    def listing():
        items = content_selectors.event_list_upcoming(communes=[neighbour_commune])
        items = content_selectors.with_origin(items=items, communes=[neighbour_commune])
        return [(item.title, item.origin.title if item.origin else None, item.shared_via)
                for item in items]

    make_event(commune)
    make_event(far_commune)
    with CaptureQueriesContext(connection) as few:
        listing()
    for _ in range(3):
        make_event(commune)
        make_event(far_commune)
    with CaptureQueriesContext(connection) as many:
        rows = listing()
    assert len(rows) == 8
    assert {origin for _title, origin, _via in rows} == {"Donges", "Guérande"}
    assert len(many.captured_queries) == len(few.captured_queries)


def test_feeds_show_shared_items_via_their_commune(client, commune, neighbour_commune):
    sharing_policy(commune, radius_km=None, named=[neighbour_commune])
    _accept_all_from(neighbour_commune, commune)
    news = publish(make_news(commune, title="Marché de Noël"))
    alert = make_alert(commune, title="Coupure d'eau")
    event = make_event(commune, title="Bal populaire")

    rss = client.get("/api/feeds/44103/news.rss").content.decode()
    assert "Marché de Noël" in rss and "Coupure d" in rss
    assert "via Donges" in rss
    assert news.get_full_url() in rss

    ics = client.get("/api/feeds/44103/events.ics").content.decode()
    assert "Bal populaire" in ics
    assert "via Donges" in ics
    assert f"event-{event.pk}@" in ics

    share_decide(share=_share(alert, neighbour_commune), action="hide", user=None)
    assert "Coupure d" not in client.get("/api/feeds/44103/news.rss").content.decode()


def test_translations_of_a_shared_item_follow_it(commune, neighbour_commune, shared_news):
    from wagtail.models import Locale

    english, _created = Locale.objects.get_or_create(language_code="en")
    neighbour_en = neighbour_commune.copy_for_translation(english, copy_parents=True)
    neighbour_en.save_revision().publish()
    news_en = shared_news.copy_for_translation(english, copy_parents=True)
    news_en.save_revision().publish()
    listed = content_selectors.news_list(communes=[neighbour_en])
    assert news_en.pk in {p.pk for p in listed}
    assert PublishedItem.objects.get(pk=news_en.pk).payload["shared_with"] == ["44103"]


def test_moving_a_page_to_another_commune_moves_its_references(commune, neighbour_commune,
                                                               far_commune):
    from cms.content.models import NewsIndexPage
    from tests.factories import section

    sharing_policy(commune, radius_km=None, named=[far_commune])
    sharing_policy(neighbour_commune, radius_km=None, named=[commune])
    news = make_news(commune)
    assert list(SharedItem.objects.filter(page=news).values_list(
        "origin_commune__insee_code", "receiver__insee_code")) == [("44052", "44069")]
    Page.objects.get(pk=news.pk).move(section(neighbour_commune, NewsIndexPage),
                                      pos="last-child")
    assert list(SharedItem.objects.filter(page=news).values_list(
        "origin_commune__insee_code", "receiver__insee_code")) == [("44103", "44052")]


def test_api_lists_many_shared_items_through_a_subquery(client, monkeypatch, shared_news,
                                                        neighbour_commune):
    from cms.readmodel import selectors as api_selectors

    # Past SHARED_KEYS_INLINE accepted items the list query joins instead of inlining.
    monkeypatch.setattr(api_selectors, "SHARED_KEYS_INLINE", 0)
    own = make_news(neighbour_commune)
    assert set(_api_ids(client, "news", "44103")) == {shared_news.pk, own.pk}


def test_key_limited_to_the_receiver_reads_the_shared_items_it_lists(
        client, commune, shared_news, neighbour_commune):

    _key, token = api_keys.api_key_create(name="Journal de Montoir",
                                              communes=[neighbour_commune])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = json.loads(_api(client, "news", "44103", **auth).content)["results"]
    assert shared_news.pk in [item["id"] for item in listed]
    assert client.get(f"/api/news/{shared_news.pk}", **auth).status_code == 200
    # Declined by Montoir: refused, like an item never shared with it.
    private = publish(make_news(commune, title="Note interne"))
    share_decide(share=SharedItem.objects.get(page=private), action="decline", user=None)
    assert client.get(f"/api/news/{private.pk}", **auth).status_code == 403

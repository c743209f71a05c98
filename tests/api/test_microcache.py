"""The per-process micro-cache and the versioned list-body cache (cms/readmodel/microcache.py).

Another gunicorn worker publishing is, seen from this process, a change to the rows
that did not go through this process's services: the tests below make exactly that
change (a queryset update, a Change row written directly), because a second process
cannot share the test database (SQLite in memory, or a test transaction on
PostgreSQL). The clock is the micro-cache's own, moved forward instead of sleeping.
"""

import json

import pytest
from django.test import override_settings

from cms.api import keys as api_keys
from cms.readmodel import changes, microcache
from cms.readmodel.models import Change, PublishedItem
from tests.factories import make_event, publish, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(microcache, "clock", lambda: now[0])
    return now


def _written_elsewhere(item_id: int, title: str) -> None:
    """What another worker's publish looks like from here: new row, no local clear."""
    row = PublishedItem.objects.get(pk=item_id)
    payload = {**row.payload, "title": title}
    PublishedItem.objects.filter(pk=item_id).update(payload=payload, etag=f"other-{title}")
    Change.objects.create(item_id=item_id, kind=row.kind, locale=row.locale,
                          commune_id=row.commune_id, action="updated", payload=payload)


def test_detail_written_by_another_process_is_served_within_the_bound(client, commune, clock):
    event = make_event(commune, title="Avant", start=soon(1))
    first = client.get(f"/api/events/{event.pk}")
    assert first.json()["title"] == "Avant"
    _written_elsewhere(event.pk, "Après")
    clock[0] += 0.5  # within the default bound of 1 s: this worker may still say "Avant"
    assert client.get(f"/api/events/{event.pk}").json()["title"] == "Avant"
    assert client.get(f"/api/events/{event.pk}",
                      HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    clock[0] += 0.6  # past the bound: the new row, a new ETag
    fresh = client.get(f"/api/events/{event.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert fresh.json()["title"] == "Après" and fresh["ETag"] != first["ETag"]


def test_list_written_by_another_process_is_served_within_the_bound(client, commune, clock):
    event = make_event(commune, title="Avant", start=soon(1))
    first = client.get("/api/events")
    assert [item["title"] for item in first.json()["results"]] == ["Avant"]
    _written_elsewhere(event.pk, "Après")
    clock[0] += 0.9
    assert client.get("/api/events", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    clock[0] += 0.2
    fresh = client.get("/api/events", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert [item["title"] for item in fresh.json()["results"]] == ["Après"]


@override_settings(CLOCHER_API_MICROCACHE_SECONDS=0)
def test_bound_zero_disables_the_microcache(client, commune, clock):
    event = make_event(commune, title="Avant", start=soon(1))
    assert client.get(f"/api/events/{event.pk}").json()["title"] == "Avant"
    assert client.get("/api/events").json()["results"][0]["title"] == "Avant"
    _written_elsewhere(event.pk, "Après")
    assert client.get(f"/api/events/{event.pk}").json()["title"] == "Après"
    assert client.get("/api/events").json()["results"][0]["title"] == "Après"


def test_publishing_in_this_process_is_visible_at_once(client, commune, clock):
    event = make_event(commune, title="Avant", start=soon(1))
    assert client.get(f"/api/events/{event.pk}").json()["title"] == "Avant"
    assert client.get("/api/events").json()["results"][0]["title"] == "Avant"
    event.title = "Après"
    publish(event)
    assert client.get(f"/api/events/{event.pk}").json()["title"] == "Après"
    assert client.get("/api/events").json()["results"][0]["title"] == "Après"
    event.unpublish()
    assert client.get(f"/api/events/{event.pk}").status_code == 404
    assert client.get("/api/events").json()["results"] == []


def test_cached_list_body_is_not_shared_across_key_scopes(client, commune, neighbour_commune):
    make_event(commune, title="Donges", start=soon(1))
    make_event(neighbour_commune, title="Montoir", start=soon(2))
    anonymous = client.get("/api/events", {"around": "44052"}).json()["results"]
    assert [item["title"] for item in anonymous] == ["Donges", "Montoir"]
    _key, token = api_keys.api_key_create(name="Mairie de Donges", communes=[commune])
    keyed = client.get("/api/events", {"around": "44052"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [item["title"] for item in keyed.json()["results"]] == ["Donges"]


def test_cached_list_body_is_not_shared_across_hosts(client, commune):
    make_event(commune, title="A", start=soon(1))
    make_event(commune, title="B", start=soon(2))
    first = client.get("/api/events", {"page_size": 1}, HTTP_HOST="donges.localhost")
    second = client.get("/api/events", {"page_size": 1}, HTTP_HOST="testserver")
    assert first.json()["next"].startswith("http://donges.localhost/api/events?")
    assert second.json()["next"].startswith("http://testserver/api/events?")


def test_list_body_is_valid_json_spliced_from_the_database(client, commune):
    make_event(commune, title="Fête « été »", start=soon(1))
    response = client.get("/api/events")
    assert response["Content-Type"] == "application/json"
    item = json.loads(response.content)["results"][0]
    assert item["title"] == "Fête « été »"
    assert "body" not in item and "jsonld" not in item  # detail-only fields stay out
    assert "summary" in item and item["commune"]["insee"] == "44052"


def test_invalid_query_is_rejected_every_time(client, commune):
    for _attempt in range(2):
        response = client.get("/api/events", {"around": "99999"})
        assert response.status_code == 400 and "around" in response.json()["errors"]


def test_fast_views_keep_drf_behaviour_for_other_methods(client, commune):
    event = make_event(commune, title="A", start=soon(1))
    response = client.post(f"/api/events/{event.pk}")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    detail = client.get(f"/api/events/{event.pk}")
    assert detail["Allow"] == response["Allow"]  # what DRF's dispatch says
    assert detail["Vary"].startswith("Origin, Authorization, X-Api-Key")


def test_list_etag_moves_when_a_late_commit_is_numbered(client, commune, clock):
    # A change committed after a newer one keeps the newest change id; numbering it
    # (after its commit) must still move list ETags and cached list bodies.
    make_event(commune, title="A", start=soon(1))
    changes.changes_assign_sequence()
    etag = client.get("/api/news")["ETag"]
    Change.objects.filter(pk=Change.objects.order_by("pk").first().pk).update(seq=None)
    Change.objects.create(item_id=1, kind="news", locale="fr", commune_id=commune.pk,
                          action="deleted", payload=None, seq=999)  # the newer, earlier commit
    clock[0] += 2
    etag_before_numbering = client.get("/api/news")["ETag"]
    assert etag_before_numbering != etag
    changes.changes_assign_sequence()
    clock[0] += 2
    assert client.get("/api/news")["ETag"] != etag_before_numbering

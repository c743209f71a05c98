"""HTTP caching: validators on lists and details, 304s, invalidation by publishing."""

import pytest
from django.utils.http import http_date

from tests.factories import make_event, publish, soon

pytestmark = pytest.mark.django_db


def test_detail_etag_304_and_invalidation(client, commune):
    event = make_event(commune, title="Fête", start=soon(1))
    first = client.get(f"/api/events/{event.pk}")
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert "max-age=60" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get(f"/api/events/{event.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    event.title = "Fête renommée"
    publish(event)
    changed = client.get(f"/api/events/{event.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["title"] == "Fête renommée"


def test_list_etag_changes_when_anything_is_published_or_unpublished(client, commune):
    event = make_event(commune, title="A", start=soon(1))
    etag = client.get("/api/events")["ETag"]
    assert client.get("/api/events", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/events", {"page_size": 5})["ETag"] != etag  # query is in the tag
    make_event(commune, title="B", start=soon(2))
    after_publish = client.get("/api/events", HTTP_IF_NONE_MATCH=etag)
    assert after_publish.status_code == 200
    etag = after_publish["ETag"]
    event.unpublish()
    assert client.get("/api/events", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_modified_since(client, commune):
    event = make_event(commune, title="A", start=soon(1))
    response = client.get(f"/api/events/{event.pk}")
    since = response["Last-Modified"]
    assert client.get(f"/api/events/{event.pk}",
                      HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert client.get(f"/api/events/{event.pk}",
                      HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_communes_have_validators_too(client, commune):
    response = client.get("/api/communes/44052")
    assert client.get("/api/communes/44052",
                      HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

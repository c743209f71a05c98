"""No N+1: a list's query count does not depend on its page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.api import keys as api_keys
from cms.readmodel import changes
from tests.factories import make_alert, make_directory, make_event, make_info, make_news, soon

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/events", "/api/news", "/api/alerts", "/api/info", "/api/directory",
             "/api/communes", "/api/changes"]


@pytest.fixture
def plenty(commune, neighbour_commune, culture):
    for index in range(5):
        for target in (commune, neighbour_commune):
            event = make_event(target, start=soon(index + 1))
            event.categories.set([culture])
            make_news(target)
            make_alert(target)
            make_info(target)
            make_directory(target)
    changes.changes_assign_sequence()


def count_queries(client, path, query):
    client.get(path, query)  # warm caches (communes directory, neighbours)
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, query)
    assert response.status_code == 200, response.content
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("path", ENDPOINTS)
def test_query_count_does_not_grow_with_page_size(client, plenty, path):
    small, small_rows = count_queries(client, path, {"page_size": 1})
    large, large_rows = count_queries(client, path, {"page_size": 50})
    assert large_rows > small_rows
    assert large == small, (small, large)


def test_filtered_list_query_count(client, plenty):
    query = {"around": "44052", "category": "culture"}
    small, _rows = count_queries(client, "/api/events", {**query, "page_size": 2})
    large, _rows = count_queries(client, "/api/events", {**query, "page_size": 20})
    assert large == small <= 4


def test_keyed_requests_cost_a_bounded_number_of_queries(client, plenty):
    _key, token = api_keys.api_key_create(name="Partenaire")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/events", **headers)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/events", {"page_size": 2}, **headers)
    with CaptureQueriesContext(connection) as large:
        client.get("/api/events", {"page_size": 50}, **headers)
    assert len(small.captured_queries) == len(large.captured_queries)

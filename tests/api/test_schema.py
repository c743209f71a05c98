"""The OpenAPI schema, and schemathesis against it over every endpoint.

Schemathesis drives the WSGI application in-process (same test database), so the
generated requests hit the real views, validation and error handling.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_alert, make_directory, make_event, make_info, make_news, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_content(commune, neighbour_commune, culture):
    event = make_event(commune, title="Fête", start=soon(1))
    event.categories.set([culture])
    make_news(commune, title="Nouvelle")
    make_alert(neighbour_commune, title="Alerte")
    make_info(commune, title="Mairie")
    make_directory(commune, title="Club")


@pytest.fixture
def in_process_wsgi(settings):
    """The WSGI application in this process, on the test's database, without rate limits
    (tests/api/test_rate_limits.py tests them; here every case must reach the view)."""
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 0
    # As Django's test client does: the WSGI handler would otherwise close the test
    # transaction's connection after every request (fatal on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(api_content, in_process_wsgi):
    return schemathesis.openapi.from_wsgi("/api/schema/", in_process_wsgi)


schema = schemathesis.pytest.from_fixture("api_schema")


def test_schema_is_served_and_docs_work_offline(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and b"cdn.jsdelivr" not in docs.content


def test_every_endpoint_and_error_is_documented(client):
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = spec["paths"]
    for kind in ("news", "events", "alerts", "info", "directory"):
        assert f"/api/{kind}" in paths and f"/api/{kind}/{{item_id}}" in paths
        listing = paths[f"/api/{kind}"]["get"]
        names = {parameter["name"] for parameter in listing["parameters"]}
        assert {"commune", "around", "radius_km", "epci", "department", "category", "locale",
                "updated_since", "bbox", "lat", "lon", "cursor", "page_size"} <= names
        assert {"200", "304", "400", "401", "403", "429"} <= set(listing["responses"])
    assert {"start_after", "start_before"} <= {
        p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert "410" in paths["/api/changes"]["get"]["responses"]
    for path in ("/api/communes", "/api/communes/{insee}", "/api/communes/{insee}/neighbours"):
        assert path in paths


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case):
    # call_and_validate raises (fails the test) when any check below fails for the case.
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance,
                                   content_type_conformance, response_schema_conformance])


# -- Wagtail's /api/v2/ (docs/adr/0007) ------------------------------------------------
# Wagtail publishes no OpenAPI schema for it: this one, written from Wagtail's API docs,
# declares the parameters each endpoint takes so that schemathesis can fuzz them (and
# the statuses a hostile value may get: 400 or 404, never 500).

def _parameter(name: str, schema: dict, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": schema}


TEXT = {"type": "string"}
NUMBER = {"type": "integer"}
LISTING = [_parameter("limit", NUMBER), _parameter("offset", NUMBER),
           _parameter("search", TEXT), _parameter("order", TEXT), _parameter("fields", TEXT),
           _parameter("search_operator", TEXT)]
PAGE_FILTERS = [_parameter("type", TEXT), _parameter("child_of", NUMBER),
                _parameter("descendant_of", NUMBER), _parameter("locale", TEXT),
                _parameter("translation_of", NUMBER), _parameter("slug", TEXT)]
ANSWERS = {"200": {"description": "OK", "content": {"application/json": {"schema": {
              "type": "object"}}}},
           "400": {"description": "Bad parameter"}, "404": {"description": "Not found"}}


def _operation(parameters: list[dict], answers: dict = ANSWERS) -> dict:
    return {"get": {"parameters": parameters, "responses": answers}}


WAGTAIL_API_SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "Wagtail API v2 (as mounted by Clocher)", "version": "2"},
    "paths": {
        "/api/v2/pages/": _operation(LISTING + PAGE_FILTERS),
        "/api/v2/pages/{id}/": _operation([_parameter("id", NUMBER, "path"),
                                           _parameter("fields", TEXT)]),
        "/api/v2/pages/find/": _operation(
            [_parameter("html_path", TEXT)],
            {**ANSWERS, "302": {"description": "The page's detail"}}),
        "/api/v2/images/": _operation(LISTING + [_parameter("title", TEXT)]),
        "/api/v2/images/{id}/": _operation([_parameter("id", NUMBER, "path")]),
        "/api/v2/documents/": _operation(LISTING + [_parameter("title", TEXT)]),
        "/api/v2/documents/{id}/": _operation([_parameter("id", NUMBER, "path")]),
    },
}


@pytest.fixture
def wagtail_api_schema(api_content, in_process_wsgi):
    loaded = schemathesis.openapi.from_dict(WAGTAIL_API_SCHEMA)
    loaded.app = in_process_wsgi
    return loaded


wagtail_schema = schemathesis.pytest.from_fixture("wagtail_api_schema")


@wagtail_schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_wagtail_api_answers_hostile_parameters_without_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance])

"""Hostile route and query parameters: a 4xx, never a 500 (a number too large for the
database, the Wagtail API's offset and search)."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from cms.core.converters import IdConverter

pytestmark = pytest.mark.django_db

TOO_LARGE = "9" * 20  # more than a 64-bit integer column holds


def _id_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the project with an `<id:…>` parameter, as a path to request."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        route = str(pattern) if isinstance(pattern, RoutePattern) else ""
        converters = getattr(pattern, "converters", {})
        if isinstance(entry, URLResolver):
            found += _id_routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and any(
                isinstance(converter, IdConverter) for converter in converters.values()):
            path = prefix + route
            for name, converter in converters.items():
                kind = "id" if isinstance(converter, IdConverter) else "str"
                path = path.replace(f"<{kind}:{name}>", TOO_LARGE if kind == "id" else "x")
            found.append("/" + path.lstrip("^").replace("\\", ""))
    return found


def test_every_numeric_route_parameter_is_an_id():
    routes = _id_routes()
    # The routes of the site, the API, ActivityPub, the images and the admin screens.
    assert {f"/agenda/evenement-{TOO_LARGE}.ics", f"/ap/objects/{TOO_LARGE}",
            f"/api/news/{TOO_LARGE}"} <= set(routes)
    assert any(route.startswith("/admin/") for route in routes)


@pytest.mark.parametrize("path", _id_routes())
def test_an_id_too_large_for_the_database_is_not_found(client, commune, admin_user, path):
    client.force_login(admin_user)  # the admin's routes too
    host = "donges.localhost" if path.startswith("/agenda/") else "localhost"
    # (A route without a trailing slash is first redirected to the one with it.)
    response = client.get(path, HTTP_HOST=host, follow=True)
    assert response.status_code == 404, path


@pytest.mark.parametrize("endpoint", ["pages", "images", "documents"])
def test_wagtail_api_offset_beyond_what_the_database_takes(client, commune, endpoint):
    response = client.get(f"/api/v2/{endpoint}/", {"offset": TOO_LARGE})
    assert response.status_code == 400
    assert "offset" in json.loads(response.content)["message"]


@pytest.mark.parametrize("query", ["'", " ", "\x00", '"', "AND", "NEAR(", "*", "-", "()",
                                   "a' OR 1=1 --", "marché\x00", "NOT march*"])
def test_wagtail_api_search_is_never_a_server_error(client, commune, query):
    response = client.get("/api/v2/pages/", {"search": query})
    assert response.status_code in (200, 400), (query, response.status_code)
    body = json.loads(response.content)
    assert "items" in body or "message" in body


def test_wagtail_api_search_still_finds_words(client, commune):
    response = client.get("/api/v2/pages/", {"search": "DONGES!"})
    assert response.status_code == 200
    assert "Donges" in {item["title"] for item in json.loads(response.content)["items"]}


@pytest.mark.parametrize(("path", "params"), [
    ("/api/v2/pages/find/", {"html_path": "/donges/\x00"}),  # found by schemathesis in CI
    ("/api/v2/pages/", {"slug": "a\x00b"}),
    ("/api/v2/pages/", {"fields": "title\x00"}),
    ("/api/v2/images/", {"title": "\x00"}),
    ("/api/v2/documents/", {"\x00": "x"}),
])
def test_wagtail_api_refuses_nul_characters(client, commune, path, params):
    # PostgreSQL refuses a NUL in a text value: the query failed with a 500.
    response = client.get(path, params)
    assert response.status_code == 400, (path, params, response.status_code)
    assert "NUL" in json.loads(response.content)["message"]

"""/api/search and /api/search/suggest over the database backend (the embedded default):
the same keys, rate limits, bad-input rules and schema as the rest of the public API."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}


def test_search_returns_hits_facets_and_capabilities(client, corpus):
    response = client.get("/api/search", {"q": "football", "commune": "44052"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["title"] == "Club de football de Montoir"
    assert hit["commune"] == {"insee": "44103", "name": "Montoir-de-Bretagne"}
    assert 5 < hit["distance_km"] < 7 and "<mark>" not in hit["title"]
    assert {"kind", "commune", "category", "dates"} == set(body["facets"])
    assert body["capabilities"]["fuzzy"] is False
    assert response["Access-Control-Allow-Origin"] == "*"


def test_facet_filters_from_the_query_string(client, corpus):
    body = client.get("/api/search", {"scope": "all", "kind": "event,news"}).json()
    assert {hit["kind"] for hit in body["results"]} == {"event", "news"}
    selected = {b["value"] for b in body["facets"]["kind"] if b["selected"]}
    assert selected == {"event", "news"}


def test_suggest(client, corpus):
    response = client.get("/api/search/suggest", {"q": "déchè", "commune": "44052"})
    assert response.status_code == 200
    assert [s["title"] for s in response.json()["results"]] == ["Déchèterie de Donges"]


@pytest.mark.parametrize("params, name", [
    ({"q": "x" * 10_240}, "q"),
    ({"q": "nul\x00byte"}, "q"),
    ({"scope": "galaxy"}, "scope"),
    ({"commune": "99999"}, "commune"),
    ({"commune": "<script>"}, "commune"),
    ({"scope": "radius", "radius_km": "5"}, "point"),
    ({"scope": "radius", "lat": "47.3", "lon": "-2.1"}, "radius_km"),
    ({"lat": "47.3"}, "lon"),
    ({"lat": "nan", "lon": "1"}, "lat"),
    ({"radius_km": "1e309"}, "radius_km"),
    ({"kind": "poem"}, "kind"),
    ({"dates": "tomorrow"}, "dates"),
    ({"page": "0"}, "page"),
    ({"page": "600", "page_size": "100"}, "page"),
    ({"page_size": "1000"}, "page_size"),
    ({"locale": "xx"}, "locale"),
    ({"category": "a b"}, "category"),
    ({"unknown": "1"}, "unknown"),
])
def test_bad_parameters_are_400s_naming_the_parameter(client, corpus, params, name):
    response = client.get("/api/search", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_parameters" and name in body["errors"]


@pytest.mark.parametrize("text", [
    "", "   ", 'vide "grenier', "((((", "a:b AND c~2^3 /regex/ [x TO y]", "🎉 fête 🎉",
    "\x01\x1f ctrl", "Москва", "東京の市場", "\\", "*?", "x" * 500,
])
def test_any_query_string_is_200_not_500(client, corpus, text):
    response = client.get("/api/search", {"q": text, "scope": "all"})
    assert response.status_code == 200, response.content
    suggest = client.get("/api/search/suggest", {"q": text[:100]})
    assert suggest.status_code == 200


def test_unreachable_engine_is_a_503_without_engine_details(client, corpus, settings):
    # A real connection refused (nothing listens on port 9): no mock needed.
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.elasticsearch."
                                          "ElasticsearchSearchBackend",
                               "URL": "http://127.0.0.1:9", "ANALYSIS": "full", "TIMEOUT": 1}
    response = client.get("/api/search", {"q": "marché"})
    assert response.status_code == 503
    assert "127.0.0.1" not in response.content.decode()
    assert response.json()["errors"]["detail"]


def test_endpoints_are_in_the_openapi_schema(client):
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/search" in spec["paths"] and "/api/search/suggest" in spec["paths"]
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "commune", "scope", "kind", "dates", "page"} <= names


def test_rate_limit_applies(client, corpus, settings):
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 2
    codes = [client.get("/api/search", {"q": "marché"}).status_code for _ in range(3)]
    assert codes[-1] == 429

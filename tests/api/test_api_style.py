"""One API style (issue 28, item 5): one error shape with a machine-readable code and
messages in the request's language, every commune parameter taking an INSEE code or a
slug, trailing slashes handled one way, all in the OpenAPI schema."""

import pytest

from tests.factories import make_event, publish, soon

pytestmark = pytest.mark.django_db

UNKNOWN = {"en": "Unknown parameter.", "fr": "Paramètre inconnu.", "de": "Unbekannter Parameter."}


@pytest.fixture
def event(commune):
    return publish(make_event(commune, title="Fest-noz", start=soon(5)))


@pytest.mark.parametrize(("header", "language"), [
    (None, "en"), ("fr", "fr"), ("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("de-DE", "de"),
    ("ja, en;q=0.2", "en"), ("ja", "en"), ("*", "en"), (";;;,q=x", "en"),
])
def test_error_messages_follow_accept_language_with_one_code(client, commune, header, language):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header is not None else {}
    response = client.get("/api/events", {"colour": "blue"}, **extra)
    assert response.status_code == 400
    body = response.json()
    assert body == {"status": 400, "code": "invalid_parameters",
                    "errors": {"colour": [UNKNOWN[language]]}}
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize(("path", "status", "code", "french"), [
    ("/api/events/987654321", 404, "not_found", "Aucun élément event d'identifiant 987654321."),
    ("/api/communes/nulle-part", 404, "not_found", "Aucune commune nulle-part."),
    ("/api/events?commune=nulle-part", 400, "invalid_parameters", "Commune inconnue : nulle-part."),
    ("/api/nothing-here", 404, "not_found", "Aucun point d'accès à cette adresse."),
])
def test_every_error_has_the_shape_in_french(client, commune, path, status, code, french):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
    body = response.json()
    assert response.status_code == status
    assert body["status"] == status and body["code"] == code
    messages = [message for values in body["errors"].values() for message in values]
    assert messages == [french]


def test_successful_answers_do_not_vary_on_language(client, event):
    french = client.get("/api/events", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get("/api/events", HTTP_ACCEPT_LANGUAGE="en")
    assert french.status_code == english.status_code == 200
    assert french.json() == english.json()


@pytest.mark.parametrize("path", ["/api/search", "/api/search/suggest"])
def test_search_takes_a_slug_as_well_as_an_insee_code(client, event, path):
    by_code = client.get(path, {"q": "fest", "commune": "44052"})
    by_slug = client.get(path, {"q": "fest", "commune": "donges"})
    assert by_code.status_code == by_slug.status_code == 200
    assert by_code.json() == by_slug.json()
    unknown = client.get(path, {"q": "fest", "commune": "nulle-part"},
                         HTTP_ACCEPT_LANGUAGE="de")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"commune": ["Unbekannte Gemeinde: nulle-part."]}


@pytest.mark.parametrize(("language", "params", "errors"), [
    ("fr", {"q": "fest", "scope": "radius"},
     {"point": ["scope=radius demande un point ou une commune dont la position est connue."]}),
    ("de", {"q": "fest", "scope": "commune"}, {"commune": ["Erforderlich mit scope=commune."]}),
    ("en", {"q": "fest", "scope": "commune"}, {"commune": ["Required with scope=commune."]}),
])
def test_search_layer_messages_follow_accept_language(client, event, language, params, errors):
    response = client.get("/api/search", params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert response["Content-Language"] == language


def test_search_in_english_finds_french_items_unless_strict(client, event):
    from search.services import outbox_drain

    outbox_drain(force=True)  # index what the publish queued (no on_commit in a test)
    english = client.get("/api/search", {"q": "fest", "commune": "donges", "locale": "en"})
    assert english.status_code == 200
    assert [(hit["title"], hit["locale"]) for hit in english.json()["results"]] == [
        ("Fest-noz", "fr")]
    strict = client.get("/api/search", {"q": "fest", "commune": "donges", "locale": "en",
                                        "strict_locale": "true"})
    assert strict.status_code == 200 and strict.json()["results"] == []


def test_search_facet_filter_takes_slugs(client, event):
    by_code = client.get("/api/search", {"q": "fest", "scope": "all", "communes": "44052"})
    by_slug = client.get("/api/search", {"q": "fest", "scope": "all", "communes": "donges"})
    assert by_slug.status_code == 200
    assert by_code.json()["results"] == by_slug.json()["results"]


@pytest.mark.parametrize("path", ["/api/communes/donges/neighbours",
                                  "/api/communes/44052/neighbours"])
def test_neighbours_take_a_slug_or_a_code(client, commune, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("path", "target"), [
    ("/api/events/", "/api/events"),
    ("/api/events/?commune=donges&page_size=5", "/api/events?commune=donges&page_size=5"),
    ("/api/communes/44052/", "/api/communes/44052"),
    ("/api/feeds/44052/news.rss/", "/api/feeds/44052/news.rss"),
])
def test_a_trailing_slash_redirects_to_the_one_way(client, commune, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/events/x/y/", "/api/%00/"])
def test_a_trailing_slash_on_an_unknown_path_is_a_json_404(client, commune, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_documents_the_style(client):
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "trailing slash" in spec["info"]["description"]
    search = spec["paths"]["/api/search"]["get"]
    parameters = {parameter["name"]: parameter for parameter in search["parameters"]}
    assert "slug" in parameters["commune"]["description"]
    assert "Accept-Language" in parameters
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert any(p["name"] == "Accept-Language" for p in operation["parameters"])
    assert {"status", "code", "errors"} <= set(
        spec["components"]["schemas"]["Error"]["properties"])

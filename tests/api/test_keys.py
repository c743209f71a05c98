"""Partner keys: hashed at rest, shown once, revocable, restricted, rate limited, counted."""

import pytest
from django.test import override_settings
from django.utils import timezone

from cms.api import keys as api_keys
from cms.readmodel.models import ApiKey, ApiKeyUsage
from tests.factories import changes_numbered, make_event, soon

pytestmark = pytest.mark.django_db


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_key_is_stored_hashed(db):
    key, token = api_keys.api_key_create(name="Office de tourisme")
    stored = ApiKey.objects.get(pk=key.pk)
    assert token not in {stored.secret_hash, stored.prefix, stored.name}
    assert stored.secret_hash == api_keys.api_key_hash(token)
    assert token.startswith(stored.prefix)


def test_valid_key_works_with_both_headers_and_usage_is_counted(client, commune):
    key, token = api_keys.api_key_create(name="Journal")
    assert client.get("/api/events", **bearer(token)).status_code == 200
    assert client.get("/api/events", HTTP_X_API_KEY=token).status_code == 200
    usage = ApiKeyUsage.objects.get(key=key, day=timezone.localdate())
    assert usage.requests == 2
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize("header", [
    {"HTTP_AUTHORIZATION": "Bearer clo_nope"},
    {"HTTP_AUTHORIZATION": "Basic abc"},
    {"HTTP_X_API_KEY": "wrong"},
])
def test_unknown_key_is_401_json(client, commune, header):
    response = client.get("/api/events", **header)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_401(client, commune):
    key, token = api_keys.api_key_create(name="Ancien partenaire")
    api_keys.api_key_revoke(key=key)
    response = client.get("/api/events", **bearer(token))
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"]["detail"][0]


@override_settings(CLOCHER_API_KEY_REQUIRED=True)
def test_missing_key_is_401_where_required(client, commune):
    assert client.get("/api/events").status_code == 401
    _key, token = api_keys.api_key_create(name="Partenaire")
    assert client.get("/api/events", **bearer(token)).status_code == 200


def test_key_limited_to_communes(client, commune, neighbour_commune):
    mine = make_event(commune, title="Donges", start=soon(1))
    other = make_event(neighbour_commune, title="Montoir", start=soon(2))
    key, token = api_keys.api_key_create(name="Mairie de Donges", communes=[commune])
    listed = client.get("/api/events", **bearer(token)).json()["results"]
    assert [item["title"] for item in listed] == ["Donges"]
    around = client.get("/api/events", {"around": "44052"}, **bearer(token)).json()
    assert [item["title"] for item in around["results"]] == ["Donges"]
    assert client.get("/api/events", {"commune": "44103"}, **bearer(token)).status_code == 403
    assert client.get(f"/api/events/{other.pk}", **bearer(token)).status_code == 403
    assert client.get(f"/api/events/{mine.pk}", **bearer(token)).status_code == 200
    changes_numbered()
    changes = client.get("/api/changes", **bearer(token)).json()["results"]
    assert {change["id"] for change in changes} == {mine.pk}


@override_settings(CLOCHER_API_ANON_RATE_PER_MINUTE=2)
def test_anonymous_rate_limit_is_429_with_retry_after(client, commune):
    assert client.get("/api/events").status_code == 200
    assert client.get("/api/events").status_code == 200
    response = client.get("/api/events")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


@override_settings(CLOCHER_API_ANON_RATE_PER_MINUTE=1)
def test_key_has_its_own_limit(client, commune):
    _key, token = api_keys.api_key_create(name="Gros partenaire", rate_limit_per_minute=3)
    statuses = [client.get("/api/events", **bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_cors_for_anonymous_and_key_origins(client, commune):
    response = client.get("/api/events", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    _key, token = api_keys.api_key_create(name="Office", cors_origins="https://ot.example\n")
    allowed = client.get("/api/events", HTTP_ORIGIN="https://ot.example", **bearer(token))
    assert allowed["Access-Control-Allow-Origin"] == "https://ot.example"
    other = client.get("/api/events", HTTP_ORIGIN="https://evil.example", **bearer(token))
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options("/api/events", HTTP_ORIGIN="https://ot.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization")
    assert preflight.status_code == 204
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]


def test_admin_creates_key_and_shows_it_once(client, commune, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    response = client.post("/admin/api_keys/new/", {
        "name": "Office de tourisme", "rate_limit_per_minute": 100,
        "cors_origins": "https://ot.example", "communes": [commune.pk], "revoked_at": ""})
    assert response.status_code == 200, response.content[:2000]
    html = response.content.decode()
    key = ApiKey.objects.get(name="Office de tourisme")
    token = html.split("data-api-key-token>")[1].split("<")[0]
    assert key.secret_hash == api_keys.api_key_hash(token)
    assert list(key.communes.all()) == [commune]
    edit = client.get(f"/admin/api_keys/edit/{key.pk}/").content.decode()
    assert token not in edit and key.prefix in edit
    listing = client.get("/admin/api_keys/").content.decode()
    assert token not in listing


def test_only_superusers_manage_keys(client, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", "e@example.org", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/api_keys/").status_code in (302, 403)


def test_admin_key_list_shows_todays_requests_without_a_query_per_key(
        client, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cms.readmodel.models import ApiKeyUsage

    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)

    def listing_queries(count: int) -> int:
        for number in range(count):
            key, _token = api_keys.api_key_create(name=f"Partenaire {count}-{number}")
            ApiKeyUsage.objects.create(key=key, day=timezone.localdate(), requests=4000 + number)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/admin/api_keys/").content.decode()
        assert f"{4000 + count - 1}" in html  # today's count of the newest key
        return len(queries)

    assert listing_queries(1) == listing_queries(6)

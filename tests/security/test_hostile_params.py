"""Hostile query parameters on every public GET endpoint outside the partner API (whose
schema schemathesis fuzzes, tests/api/test_schema.py): the resident site's views and the
federation's documents answer them with a 2xx or a 4xx, never a 500; the federation's
4xx carry a JSON body."""

import base64

import pytest

from tests.api.test_rate_limits import public_paths

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_cache")]

HOSTILE = [
    {"q": "\x00"},
    {"q": "x" * 5000},
    {"page": "99999999999999999999"},
    {"page": "-1"},
    {"page": "1e999"},
    {"dates": "'; DROP TABLE x; --", "communes": "<script>", "categories": "%00"},
    {"lat": "nan", "lon": "inf", "radius_km": "1e999", "around": "44052,x"},
    {"resource": "acct:\x00@example.org"},
    {"resource": "acct:" + "a" * 3000 + "@x"},
    {"page": ["1", "2"], "q": ["a", "b"]},
    "q=%ED%A0%80&around=%FF%FE",  # a lone surrogate and bytes that are not UTF-8
    "page=%00&dates=%C0%AF",
]
FEDERATION = ("/ap/", "/.well-known/", "/nodeinfo/")


@pytest.fixture
def unlimited(settings):
    settings.CLOCHER_SITE_RATE_PER_MINUTE = 0
    settings.CLOCHER_API_ANON_RATE_PER_MINUTE = 0
    settings.FEDERATION_RATE_PER_MINUTE = 0


def test_hostile_parameters_never_break_a_public_endpoint(client, commune, unlimited):
    paths = [path for path in public_paths() if not path.startswith("/api/")]
    assert any(path.startswith(FEDERATION) for path in paths)
    broken = []
    for path in paths:
        path = path.replace("/communes/x", f"/communes/{commune.slug}")
        for params in HOSTILE:
            response = (client.get(f"{path}?{params}") if isinstance(params, str)
                        else client.get(path, params))
            if response.status_code >= 500:
                broken.append((path, params, response.status_code))
            elif (path.startswith(FEDERATION) and 400 <= response.status_code < 500
                  and response.status_code != 405
                  and not response["Content-Type"].startswith(("application/json",
                                                                "application/activity+json",
                                                                "application/jrd+json"))):
                broken.append((path, params, response.status_code, response["Content-Type"]))
    assert broken == [], broken
    assert len(paths) * len(HOSTILE) >= 150


def test_no_api_checks_passwords(client, django_user_model, unlimited):
    # DRF's default Basic authentication answered 403 to a wrong password on /api/v2/:
    # a password oracle. Public reads take no credentials; the partner API reads only
    # its keys, and answers a right password as a wrong one.
    django_user_model.objects.create_user("maire", password="le-bon-mot-de-passe")

    def status(path: str, password: str) -> int:
        token = base64.b64encode(f"maire:{password}".encode()).decode()
        return client.get(path, HTTP_AUTHORIZATION=f"Basic {token}").status_code

    for path in ("/api/v2/pages/", "/api/v2/images/", "/api/communes"):
        assert status(path, "le-bon-mot-de-passe") == status(path, "un-autre"), path
    assert status("/api/v2/pages/", "un-autre") == 200

"""The installable site: manifest, icons, service worker and offline page, all
same-origin files that work under the site's Content-Security-Policy."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.factories import make_alert, publish


@pytest.mark.django_db
def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image["Content-Type"] == "image/png", icon
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes  # what Chromium asks to offer installing


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_under_the_policy(client):
    response = client.get("/sw.js?commune=44052")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    for event in ("install", "fetch", "push", "notificationclick"):
        assert f'addEventListener("{event}"' in source
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(
        "script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_registers_the_worker(client, commune):
    html = client.get(commune.url, HTTP_HOST=commune.get_site().hostname).content.decode()
    manifest = f"/identite/{commune.insee_code}/manifest.webmanifest"
    assert f'<link rel="manifest" href="{manifest}">' in html
    assert client.get(manifest).json()["name"] == commune.title
    assert f'src="/static/notify/pwa.js" data-commune="{commune.insee_code}"' in html
    assert client.get("/static/notify/pwa.js").status_code == 200


@pytest.mark.django_db
def test_the_offline_page_holds_the_communes_alerts_in_force(client, commune, far_commune):
    publish(make_alert(commune, severity=3, title="Coupure eau potable"))
    publish(make_alert(commune, title="Marché déplacé",
                       valid_from=timezone.now() - dt.timedelta(days=3),
                       valid_until=timezone.now() - dt.timedelta(days=1)))
    publish(make_alert(far_commune, title="Ailleurs"))
    html = client.get("/hors-ligne/", {"commune": commune.insee_code}).content.decode()
    assert "Coupure eau potable" in html
    assert "Marché déplacé" not in html and "Ailleurs" not in html
    # An unknown commune, or none: the page still answers (the worker caches it).
    for params in ({"commune": "nope\x00"}, {}):
        response = client.get("/hors-ligne/", params)
        assert response.status_code == 200 and "Coupure" not in response.content.decode()

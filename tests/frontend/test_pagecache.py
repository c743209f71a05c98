"""The anonymous page cache: served from cache until a publish, never for forms."""

import pytest

from .conftest import HOST

pytestmark = pytest.mark.django_db


def test_page_cache_serves_until_a_publish(client, site_content, settings,
                                           django_capture_on_commit_callbacks):
    settings.CLOCHER_FRONTEND_CACHE_SECONDS = 30
    news = site_content["news"]
    assert "Travaux rue de la Gare" in client.get("/", HTTP_HOST=HOST).content.decode()
    # A change without a publish (no signal) is not seen: the page comes from the cache.
    news.title = "Rue de la Gare rouverte"
    news.save()
    assert "Travaux rue de la Gare" in client.get("/", HTTP_HOST=HOST).content.decode()
    # Publishing forgets every cached page, as its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        news.save_revision().publish()
    assert "Rue de la Gare rouverte" in client.get("/", HTTP_HOST=HOST).content.decode()


def test_page_cache_skips_forms_and_logged_in_readers(client, site_content, settings):
    settings.CLOCHER_FRONTEND_CACHE_SECONDS = 30
    first = client.get("/proposer/?commune=44052", HTTP_HOST=HOST)
    assert first.status_code == 200 and first.cookies  # the CSRF cookie: not cached
    client.cookies["sessionid"] = "x"
    client.get("/", HTTP_HOST=HOST)
    site_content["news"].title = "Changée"
    site_content["news"].save()
    assert "Changée" in client.get("/", HTTP_HOST=HOST).content.decode()

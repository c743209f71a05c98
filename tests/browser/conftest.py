"""A real headless Chromium (Debian's) driven by Playwright, against pytest-django's live server.

pytest-django's live_server wraps the project in Django's StaticFilesHandler, which
serves the Wagtail admin's CSS and JS from the apps' static folders: no collectstatic.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test's thread; Django would then refuse
# the ORM calls the test makes between two browser steps. No request is served from that
# thread (the live server has its own), so the guard protects nothing here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(scope="session")
def live_server_sessions_ended(django_db_setup, django_db_blocker) -> Iterator[None]:
    """At the end of the run, end the database sessions the live server's threads left.

    pytest-django's live server answers each browser connection in a daemon thread with
    its own database connection. A thread still waiting on a keep-alive socket when the
    run ends keeps its session open, and PostgreSQL then refuses to drop the test
    database ("is being accessed by other users"). The sessions are this role's own on
    the test database, so it may end them; torn down before the database is dropped
    (this fixture depends on django_db_setup)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() AND usename = current_user "
            "AND backend_type = 'client backend'")


@pytest.fixture
def browser_context(tmp_path, live_server_sessions_ended, fresh_api_cache) -> Iterator:
    """Yield a Chromium context with a fresh profile (no cookies, no cache) for one test.

    The server's caches start empty too (fresh_api_cache): a browser test recreates its
    communes with new ids, and the API's communes directory, lists and rate-limit
    counters of an earlier test in the process must not answer for them."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        # A page load waits for its stylesheets, images and service worker: on CI's two
        # cores shared with the search nodes and the GoToSocial run, one took over 15 s.
        context.set_default_navigation_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def artifacts(request) -> Path:
    """Return the folder (git-ignored) that receives this test's screenshots."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder

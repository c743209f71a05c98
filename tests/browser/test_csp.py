"""Content-Security-Policy (issue 24, finding 14): every page carries it, and the Wagtail
admin, the resident site and the API's docs work under it in Chromium, without one
violation.

Run alone with `pytest -m browser tests/browser/test_csp.py`.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Site

from tests.browser.test_moderation_e2e import admin_login
from tests.factories import make_event, soon


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # see test_moderation_e2e
def test_admin_and_resident_pages_work_under_the_policy(live_server, browser_context, commune):
    base = live_server.url
    port = urlsplit(base).port
    Site.objects.filter(root_page=commune).update(port=port)
    site = f"http://{commune.slug}.localhost:{port}"
    event = make_event(commune, title="Fête de la musique", start=soon(3))
    get_user_model().objects.create_superuser("admin", "admin@example.org", "admin-pw")

    page = browser_context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))

    def visit(url: str, *, ready: str) -> None:
        response = page.goto(url)
        assert response.status == 200, url
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, url
        page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")

    # The resident site: a commune's home, an event (map), search with autocomplete.
    visit(f"{site}/", ready="main")
    visit(f"{site}{urlsplit(event.url).path}", ready="main h1")
    visit(f"{site}/recherche/?q=f%C3%AAte", ready="main")
    page.locator('input[name="q"]').first.fill("fêt")
    page.wait_for_load_state("networkidle")
    visit(f"{site}/proposer/", ready="form")
    # The Wagtail admin: dashboard, explorer, the page editor (Draftail, StreamField),
    # the preview panel.
    admin_login(page, base=base, username="admin", password="admin-pw")
    page.wait_for_load_state("networkidle")
    visit(f"{base}/admin/pages/{commune.pk}/", ready="main")
    visit(f"{base}/admin/pages/{event.pk}/edit/", ready="form")
    visit(f"{base}/admin/images/", ready="main")
    # A draft renders the resident site's template under the strict policy.
    draft = page.goto(f"{base}/admin/pages/{event.pk}/view_draft/")
    assert "'unsafe-inline'" not in draft.headers["content-security-policy"].split(
        "script-src")[1].split(";")[0]
    # The partner API's documentation (Swagger UI, served from this server).
    visit(f"{base}/api/docs/", ready="#swagger-ui .information-container")

    assert not violations, "\n".join(violations)

    # The policy is enforced: an inline script does not run.
    page.goto(f"{site}/")
    page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.injected = true"; document.body.append(s); }""")
    assert page.evaluate("() => window.injected === undefined")

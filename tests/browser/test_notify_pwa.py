"""The installable site in a real Chromium: the subscription page at phone width, the
service worker installed under the CSP, a push message delivered to it through the
DevTools protocol (ServiceWorker.deliverPushMessage) showing the alert's notification
with the item's URL, and the offline page with the commune's alerts once the network
is gone.

Run alone with `pytest -m browser tests/browser/test_notify_pwa.py`.
"""

import json
import time
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from wagtail.models import Site

from tests.factories import make_alert, publish


def _vapid(settings) -> None:
    out = StringIO()
    call_command("notify_vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.NOTIFY_VAPID_PRIVATE_KEY = keys["NOTIFY_VAPID_PRIVATE_KEY"]
    settings.NOTIFY_VAPID_PUBLIC_KEY = keys["NOTIFY_VAPID_PUBLIC_KEY"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # see test_moderation_e2e
def test_subscribe_install_push_and_read_offline(live_server, browser_context, commune,
                                                 artifacts, settings):
    _vapid(settings)
    port = urlsplit(live_server.url).port
    Site.objects.filter(root_page=commune).update(port=port)
    site = f"http://{commune.slug}.localhost:{port}"
    alert = publish(make_alert(commune, severity=3, title="Coupure eau potable",
                               message="<p>Rue du Port, de 9 h à 12 h.</p>"))

    page = browser_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 390, "height": 844})

    # The subscription page at phone width: nothing wider than the screen.
    response = page.goto(f"{site}/abonnement/?commune={commune.insee_code}")
    assert response.status == 200
    page.locator("form.subscribe").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".push-subscribe").is_visible()  # JavaScript offers push
    page.screenshot(path=artifacts / "subscribe-390.png", full_page=True)

    # The service worker installs from any page, under the CSP, and controls the site.
    cdp = browser_context.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(
        r["registrationId"] for r in event["registrations"] if not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    page.goto(f"{site}/")
    state = page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)")
    assert state in ("activating", "activated")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    assert registrations

    # A push message, as the push service would deliver it: the notification shows the
    # alert and opens the item.
    browser_context.grant_permissions(["notifications"], origin=site)
    payload = {"title": alert.title, "body": "Rue du Port, de 9 h à 12 h.",
               "url": alert.full_url, "tag": str(alert.translation_key), "urgent": True}
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": site, "registrationId": registrations[-1], "data": json.dumps(payload)})
    # Poll from Python: wait_for_function takes an async predicate's promise as truthy at
    # once, which made this check race the notification (seen in CI).
    shown: list = []
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        shown = page.evaluate("navigator.serviceWorker.ready.then(r => r.getNotifications())"
                              ".then(list => list.map(n => ({title: n.title, body: n.body,"
                              " url: n.data.url, tag: n.tag})))")
    assert shown == [{"title": "Coupure eau potable", "body": "Rue du Port, de 9 h à 12 h.",
                      "url": alert.full_url, "tag": str(alert.translation_key)}]

    # The network gone: a page of the site shows the commune's alerts from the cache.
    browser_context.set_offline(True)
    try:
        page.goto(f"{site}/actualites/")
        page.locator("main h1").wait_for()
        text = page.locator("main").inner_text()
        assert "Hors ligne" in text and "Coupure eau potable" in text
        page.screenshot(path=artifacts / "offline-390.png", full_page=True)
    finally:
        browser_context.set_offline(False)
    assert [p for p in problems if "Content Security Policy" in p] == []

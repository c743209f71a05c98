"""The installable site in a real Chromium: the subscription page at phone width, its
push button storing the browser's subscription on the server, the service worker
installed under the CSP, a push message delivered to it through the
DevTools protocol (ServiceWorker.deliverPushMessage) showing the alert's notification
with the item's URL, the offline page with the commune's alerts once the network
is gone; then the page editor asking for confirmation before an urgent alert goes to
phones, with how many it reaches.

Run alone with `pytest -m browser tests/browser/test_notify_pwa.py`.
"""

import json
import os
import time
from io import StringIO
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Site

from notify.models import PushSubscription, Subscriber
from tests.browser.test_moderation_e2e import admin_login
from tests.factories import make_alert, publish
from tests.notify.conftest import subscriber
from tests.notify.push_service import b64url

# Headless Chromium has no push service to register with (subscribe() asks Google's
# FCM over the Internet): the page's own code runs, and only PushManager.subscribe
# answers with a subscription made here, with real keys, recording the key it was given.
PUSH_STUB = """
PushManager.prototype.subscribe = function (options) {
  var key = new Uint8Array(options.applicationServerKey);
  window.__pushKey = btoa(String.fromCharCode.apply(null, key))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  window.__pushUserVisible = options.userVisibleOnly;
  var json = %s;
  return Promise.resolve({ endpoint: json.endpoint, toJSON: function () { return json; } });
};
"""


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

    # The push button: permission granted, the subscription stored with the choices.
    browser_context.grant_permissions(["notifications"], origin=site)
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    subscription = {"endpoint": "https://push.example.net/wpush/v2/browser-1",
                    "keys": {"p256dh": b64url(public), "auth": b64url(os.urandom(16))}}
    page.add_init_script(PUSH_STUB % json.dumps(subscription))
    page.goto(f"{site}/abonnement/?commune={commune.insee_code}")
    page.locator('input[name="alerts"][value="all"]').check()
    page.locator(".push-subscribe__button").click()
    page.locator(".push-subscribe__status a").wait_for()  # the manage link: stored
    stored = PushSubscription.objects.select_related("subscriber").get()
    assert (stored.endpoint, stored.p256dh, stored.auth) == (
        subscription["endpoint"], subscription["keys"]["p256dh"],
        subscription["keys"]["auth"])
    assert stored.subscriber.alerts == "all"
    assert list(stored.subscriber.communes.all()) == [commune]
    assert page.evaluate("window.__pushKey") == settings.NOTIFY_VAPID_PUBLIC_KEY.rstrip("=")
    assert page.evaluate("window.__pushUserVisible") is True

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

    # The communicator: publishing an urgent alert asks first, with the reach per channel.
    subscriber(commune, email="habitant@example.org")  # + the push subscriber above
    draft = make_alert(commune, severity=3, title="Tempête", live=False)
    draft.save_revision()
    get_user_model().objects.create_superuser("maire", "maire@example.org", "maire-pw")
    base = live_server.url
    admin_login(page, base=base, username="maire", password="maire-pw")
    page.goto(f"{base}/admin/pages/{draft.pk}/edit/")
    footer = page.locator("footer")
    footer.locator(".w-dropdown-button .w-dropdown__toggle").click()
    publish_button = footer.locator('button[name="action-publish"]')
    with page.expect_event("dialog") as asked:
        publish_button.click()
    dialog = asked.value
    assert dialog.type == "confirm"
    assert "1 téléphone(s) en notification" in dialog.message, dialog.message
    assert "1 par e-mail" in dialog.message, dialog.message
    dialog.dismiss()
    page.wait_for_timeout(300)
    draft.refresh_from_db()
    assert not draft.live  # "Annuler": nothing published, nothing sent
    page.once("dialog", lambda second: second.accept())
    if not publish_button.is_visible():
        footer.locator(".w-dropdown-button .w-dropdown__toggle").click()
    with page.expect_navigation():
        publish_button.click()
    draft.refresh_from_db()
    assert draft.live
    assert Subscriber.objects.count() == 2

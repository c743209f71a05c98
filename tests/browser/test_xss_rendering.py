"""The XSS corpus (tests/data/xss/payloads.txt) rendered in a real Chromium: nothing runs.

Every payload would set `window.__xss` or open a dialog if it ran. All payloads share a
few pages, one per channel, so the whole corpus costs a handful of page loads: a remote
alert and a remote directory entry received from a followed server (the entry with a
summary only, the path of issue 24's finding 1), an alert stored raw by no inbound
check (the templates' policy alone), a commune home, a resident's proposal in the
admin's preview, the news feed's entries as a reader shows them, and the widget on a
partner's page.
"""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from federation.activitypub import wire
from federation.activitypub.mirror import object_store
from federation.models import Follow, FollowDirection, FollowState, RemoteActor, SharedItem
from federation.sharing import share_decide
from frontend.models import Contribution
from frontend.services import contribution_submit
from tests.browser.test_moderation_e2e import admin_login
from tests.factories import make_alert, make_news
from tests.security.xss import PAYLOADS, joined_paragraphs, joined_text

ATOM = "{http://www.w3.org/2005/Atom}"
NOTHING_RAN = "() => window.__xss === undefined"


def on_live_server(live_server, full_url: str) -> str:
    """A page's URL on the live server, keeping the commune's host (*.localhost)."""
    parts, server = urlsplit(full_url), urlsplit(live_server.url)
    return f"http://{parts.hostname}:{server.port}{parts.path}"


def remote_items(commune) -> list:
    """A followed server's alert (all payloads in its content) and directory entry (in
    its summary only), accepted by the commune."""
    remote = RemoteActor.objects.create(
        url="https://peer.example/communes/saint-nazaire", domain="peer.example",
        inbox="https://peer.example/inbox", name="Saint-Nazaire",
        preferred_username="saint-nazaire")
    Follow.objects.create(commune=commune, remote_actor=remote,
                          direction=FollowDirection.OUTBOUND, state=FollowState.ACCEPTED)
    now = timezone.now().isoformat()
    pages = []
    for number, (ap_type, content) in enumerate((("Note", joined_paragraphs()),
                                                 ("Organization", None))):
        data = {"id": f"{remote.url}/objects/{number}", "type": ap_type,
                "attributedTo": remote.url, "name": PAYLOADS[number],
                "summary": joined_text(), "published": now}
        if content:
            data["content"] = content
        page, outcome = object_store(obj=wire.parse_object(data), remote_actor=remote)
        assert outcome == "created"
        share_decide(share=SharedItem.objects.get(page=page), action="accept", user=None)
        pages.append(page)
    return pages


def assert_nothing_ran(page, dialogs, where: str) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # error and load handlers of broken images and frames
    assert page.evaluate(NOTHING_RAN), where
    assert dialogs == [], where


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_payload_runs_on_any_surface(live_server, browser_context, tmp_path, commune):
    from playwright.sync_api import expect

    remote_alert, remote_entry = remote_items(commune)
    raw_alert = make_alert(commune, title=PAYLOADS[6], message=joined_paragraphs())
    for number in range(3):
        make_news(commune, title=PAYLOADS[number], slug=f"nouvelle-{number}",
                  lead=joined_text()[:600],
                  body=[("paragraph", joined_paragraphs())])
    contribution = contribution_submit(commune=commune, data={
        "kind": Contribution.Kind.DIRECTORY, "title": PAYLOADS[10],
        "text": joined_text()[:2000], "directory_kind": "association",
        "address": PAYLOADS[11], "phone": "", "website": "", "name": PAYLOADS[12],
        "email": "resident@example.org"}, ip_address="203.0.113.9")
    get_user_model().objects.create_superuser("veille", "veille@example.org", "veille-pw")

    page = browser_context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for item in (remote_alert, remote_entry, raw_alert, commune):
        page.goto(on_live_server(live_server, item.full_url))
        assert_nothing_ran(page, dialogs, item.full_url)
    # The payloads are shown as text, not dropped: the remote alert's title is its name.
    expect(page.locator("body")).to_contain_text("<script>window.__xss=1</script>")

    admin_login(page, base=live_server.url, username="veille", password="veille-pw")
    page.goto(f"{live_server.url}/admin/pages/{contribution.page_id}/view_draft/")
    assert_nothing_ran(page, dialogs, "view_draft")

    # A feed reader shows each entry's HTML: all of them in one document.
    feed = page.request.get(f"{live_server.url}/api/feeds/donges/news.atom")
    root = ElementTree.fromstring(feed.body())  # noqa: S314 (our own feed)
    entries = [node.text or "" for node in root.iter(f"{ATOM}summary")]
    assert len(entries) >= 4
    page.set_content("<!DOCTYPE html><html><body>" + "<hr>".join(entries) + "</body></html>")
    assert_nothing_ran(page, dialogs, "feed entries")

    # The widget on a partner's page (another origin) lists the news with their titles.
    (tmp_path / "index.html").write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><script src="{live_server.url}'
        '/static/widget/clocher-widget.js" defer></script></head><body>'
        f'<clocher-news data-api="{live_server.url}" commune="donges" limit="5">'
        '</clocher-news></body></html>', encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        expect(page.locator("clocher-news li").first).to_be_visible()
        assert_nothing_ran(page, dialogs, "widget")
    finally:
        server.shutdown()
        server.server_close()

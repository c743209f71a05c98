"""Clocher and a real GoToSocial server on loopback, driven as their users would.

Run by `make test-interop` (scripts/interop-gotosocial.sh builds the server once per
machine under var/gotosocial/). Skipped, saying so, when the binary is not built.
GoToSocial's account `alice` uses its Mastodon-compatible client API; the commune
Donges runs on a live Clocher instance (runserver + run_worker, SQLite) behind a TLS
terminator. What the server shows of a Clocher event is saved to
var/interop/gotosocial-event-status.json for inspection.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.federation.e2e.instances import COMMUNE, ROOT, Instance, free_port, wait_for

from .gotosocial import BINARY, GoToSocial, TLSTerminator

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(not os.environ.get("CLOCHER_INTEROP"),
                       reason="the live GoToSocial test runs by make test-interop"),
    # GoToSocial keeps the real time; Clocher refuses signatures 5 minutes off.
    pytest.mark.skipif(bool(os.environ.get("CLOCHER_TEST_CLOCK_SHIFT_DAYS")),
                       reason="the clock is shifted: GoToSocial's signatures would be stale"),
    pytest.mark.skipif(not BINARY.exists(), reason=f"GoToSocial not built ({BINARY}): "
                                                   "scripts/interop-gotosocial.sh build"),
]

OUT = ROOT / "var" / "interop"

PUBLISH_NEWS = """
from cms.communes.models import CommuneHomePage
from cms.content.models import NewsIndexPage, NewsPage
commune = CommuneHomePage.objects.get(slug="donges")
index = NewsIndexPage.objects.child_of(commune).get()
page = NewsPage(title={title!r}, slug="mediatheque", lead="Après trois mois de travaux.",
                live=False)
index.add_child(instance=page)
page.save_revision().publish()
print(page.pk)
"""
PUBLISH_EVENT = """
import datetime as dt
from django.utils import timezone
from cms.communes.models import CommuneHomePage
from cms.content.models import EventIndexPage, EventPage
commune = CommuneHomePage.objects.get(slug="donges")
agenda = EventIndexPage.objects.child_of(commune).get()
start = (timezone.now() + dt.timedelta(days=30)).replace(hour=18, minute=0, second=0,
                                                         microsecond=0)
page = EventPage(title={title!r}, slug="fete", start=start, end=start + dt.timedelta(hours=5),
                 venue_name="Place de la mairie", address="Place Armand Morvan",
                 latitude=47.3205, longitude=-2.0744, summary="Concerts gratuits.", live=False)
agenda.add_child(instance=page)
page.save_revision().publish()
print(page.pk)
"""
RETITLE = """
from wagtail.models import Page
page = Page.objects.get(pk={pk}).specific
page.title = {title!r}
page.save_revision().publish()
"""
UNPUBLISH = """
from wagtail.models import Page
Page.objects.get(pk={pk}).specific.unpublish()
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("interop-gotosocial")
    gts_port, tls_port, clocher_port = free_port(), free_port(), free_port()
    gts = GoToSocial(folder, gts_port)
    clocher = Instance("clocher", folder, clocher_port, [f"localhost:{gts_port}"])
    public = f"https://localhost:{tls_port}"
    clocher.env.update({"FEDERATION_BASE_URL": public, "WAGTAILADMIN_BASE_URL": public})
    clocher.manage("migrate", "-v0", timeout=300)
    clocher.shell(COMMUNE.format(insee="44052", name="Donges", lat=47.318, lon=-2.075))
    terminator = TLSTerminator(folder, tls_port, clocher_port)
    gts.start()
    clocher.start()
    try:
        gts.wait_ready()
        gts.log_in()
        yield gts, clocher, f"localhost:{tls_port}"
    finally:
        clocher.stop()
        gts.stop()
        terminator.close()


def _home(gts: GoToSocial) -> list[dict]:
    return gts.api("GET", "/api/v1/timelines/home", params={"limit": 40})


def _status_titled(gts: GoToSocial, title: str) -> dict | None:
    return next((status for status in _home(gts) if title in status["content"]), None)


def _waited(condition, *, timeout: float, what: str, gts: GoToSocial, clocher: Instance):
    """wait_for, and on a timeout what each side saw: the activities Clocher's inbox
    holds (type, state, attempts, error) and the end of both servers' logs."""
    try:
        return wait_for(condition, timeout=timeout, what=what)
    except AssertionError as error:
        inbox = "\n".join(
            f"  {kind} {state} attempts={attempts} {error_!r}"
            for kind, state, attempts, error_ in clocher.query(
                "SELECT json_extract(body, '$.type'), state, attempts, last_error "
                "FROM federation_inboxmessage ORDER BY id"))
        raise AssertionError(
            f"{error}\nClocher's inbox:\n{inbox}\n"
            f"Clocher's log (end):\n{clocher.log.read_text()[-4000:]}\n"
            f"GoToSocial's log (end):\n{gts.log.read_text()[-4000:]}") from None


def test_gotosocial_and_a_commune(world):
    gts, clocher, clocher_host = world
    OUT.mkdir(parents=True, exist_ok=True)

    # 1. The GoToSocial account follows the commune and gets the Accept.
    found = gts.api("GET", "/api/v2/search", params={
        "q": f"@donges@{clocher_host}", "resolve": "true", "type": "accounts"})
    donges = found["accounts"][0]
    assert donges["display_name"] == "Donges"
    (OUT / "gotosocial-commune-account.json").write_text(
        json.dumps(donges, indent=2, ensure_ascii=False))
    gts.api("POST", f"/api/v1/accounts/{donges['id']}/follow")
    wait_for(lambda: gts.api("GET", "/api/v1/accounts/relationships",
                             params={"id[]": donges["id"]})[0]["following"],
             timeout=120, what="the commune's Accept")

    # 2. The commune follows the account; alice approves; the Accept comes back.
    clocher.shell("from cms.communes.models import CommuneHomePage\n"
                  "from federation.activitypub.remote import follow_remote\n"
                  "follow_remote(commune=CommuneHomePage.objects.get(slug='donges'), "
                  f"handle_or_url='alice@{gts.base.removeprefix('http://')}')")

    def approve():
        requests_ = gts.api("GET", "/api/v1/follow_requests")
        for request in requests_:
            gts.api("POST", f"/api/v1/follow_requests/{request['id']}/authorize")
        return clocher.query("SELECT state FROM federation_follow WHERE direction='outbound'"
                             ) == [("accepted",)]
    wait_for(approve, timeout=120, what="alice's Accept on Clocher")

    # 3. News and an event reach the home timeline with their titles, no warning.
    news_pk = int(clocher.shell(PUBLISH_NEWS.format(
        title="La médiathèque rouvre")).split()[-1])
    event_pk = int(clocher.shell(PUBLISH_EVENT.format(
        title="Fête de la musique")).split()[-1])
    news = wait_for(lambda: _status_titled(gts, "La médiathèque rouvre"), timeout=120,
                    what="the news in the home timeline")
    event = wait_for(lambda: _status_titled(gts, "Fête de la musique"), timeout=120,
                     what="the event in the home timeline")
    # No content warning: an event's name, which GoToSocial would show as one, is left
    # out of what it gets (federation/activitypub/servers.py); the title leads the text.
    assert news["spoiler_text"] == "" and event["spoiler_text"] == ""
    assert "<strong>Fête de la musique</strong>" in event["content"]
    for status in (news, event):
        assert status["edited_at"] in (None, "")
    (OUT / "gotosocial-event-status.json").write_text(
        json.dumps(event, indent=2, ensure_ascii=False))

    # 4. An edit arrives as an edit.
    clocher.shell(RETITLE.format(pk=event_pk, title="Fête de la musique 2027"))
    edited = wait_for(lambda: _status_titled(gts, "Fête de la musique 2027"), timeout=120,
                      what="the edit")
    assert edited["id"] == event["id"] and edited["edited_at"]

    # 5. Unpublishing removes it.
    clocher.shell(UNPUBLISH.format(pk=news_pk))
    wait_for(lambda: _status_titled(gts, "La médiathèque rouvre") is None, timeout=120,
             what="the unpublished news to leave the timeline")

    # 6. A post from the account is a proposal held for review, not an alert.
    post = gts.api("POST", "/api/v1/statuses", data={
        "status": "Bonjour Donges ! Le marché de Noël est-il maintenu samedi ?",
        "visibility": "public"})
    wait_for(lambda: clocher.query(
        "SELECT s.state FROM federation_shareditem s JOIN content_newspage n "
        "ON n.page_ptr_id = s.page_id WHERE n.origin_server != ''") == [("pending",)],
        timeout=120, what="alice's post in Donges' review queue")
    assert clocher.query("SELECT count(*) FROM content_alertpage a JOIN wagtailcore_page p "
                         "ON p.id = a.page_ptr_id WHERE p.title LIKE '%Noël%'") == [(0,)]

    # 7. alice edits her post at once: GoToSocial sends an Update dated the post's own
    # second (it dates to the second), which must still count as an edit
    # (mirror.version_is_stale); the held proposal follows it.
    gts.api("PUT", f"/api/v1/statuses/{post['id']}", data={
        "status": "Bonjour Donges ! Le marché de Noël est-il maintenu dimanche ?"})
    _waited(lambda: "dimanche" in " ".join(body for (body,) in clocher.query(
        "SELECT n.body FROM content_newspage n WHERE n.origin_server != ''")),
        timeout=120, what="alice's edit in the held proposal", gts=gts, clocher=clocher)

    # 8. alice deletes it: GoToSocial sends a Delete; the proposal leaves the queue.
    gts.api("DELETE", f"/api/v1/statuses/{post['id']}")
    _waited(lambda: clocher.query(
        "SELECT count(*) FROM content_newspage n WHERE n.origin_server != ''") == [(0,)],
        timeout=120, what="alice's deleted post to leave Clocher",
        gts=gts, clocher=clocher)

    # What GoToSocial sent, as the inbox stored it (real payloads for tests/data/).
    rows = clocher.query("SELECT body FROM federation_inboxmessage ORDER BY id")
    (OUT / "gotosocial-received.json").write_text(json.dumps(
        [json.loads(body) for (body,) in rows], indent=2, ensure_ascii=False))
    assert re.search(r'"type": "Follow"', (OUT / "gotosocial-received.json").read_text())

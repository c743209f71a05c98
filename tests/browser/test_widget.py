"""The embeddable widget, in a real headless Chromium, on a partner's page of another origin.

The partner page is a plain HTML file served by a small http.server on 127.0.0.1; the
widget's script and the API come from the live server on localhost: every API call is
a cross-origin fetch that works only if the API answers CORS. Run alone with
`pytest -m browser`.
"""

import datetime as dt
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from cms.content.models import EventIndexPage, NewsIndexPage
from tests.factories import EventPageFactory, NewsPageFactory, section

WIDGET = Path(__file__).resolve().parents[2] / "frontend" / "static" / "widget"

PARTNER_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Office de tourisme</title>
<script src="{api}/static/widget/clocher-widget.js" defer></script></head>
<body>
  <h1>Que faire à Donges ?</h1>
  <clocher-events id="agenda" commune="44052" limit="2"></clocher-events>
  <clocher-events id="around" around="donges" radius-km="10" heading="Autour de Donges">
  </clocher-events>
  <clocher-news id="news" data-api="{api}" commune="donges"></clocher-news>
  <clocher-events id="broken" commune="nulle-part"></clocher-events>
</body></html>
"""


@pytest.fixture
def partner_site(tmp_path) -> Iterator:
    """Serve tmp_path on 127.0.0.1 (another origin than the live server's localhost)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
# The live server answers from another thread, so the data must be committed; the test
# needs the rows migrations created (locales, root page), which serialized_rollback keeps.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_partner_page_shows_the_communes_upcoming_events(
    live_server, browser_context, partner_site, commune, neighbour_commune
):
    from playwright.sync_api import expect

    now = timezone.now()
    agenda = section(commune, EventIndexPage)
    first = now + dt.timedelta(days=2)
    EventPageFactory(parent=agenda, title="Fest-noz", start=first,
                     venue_name="Salle Jules-Verne")
    EventPageFactory(parent=agenda, title="<img src=x onerror=alert(1)> Loto",
                     start=now + dt.timedelta(days=4))
    EventPageFactory(parent=agenda, title="Trop loin", start=now + dt.timedelta(days=30))
    EventPageFactory(parent=agenda, title="Déjà passé", start=now - dt.timedelta(days=1))
    EventPageFactory(parent=section(neighbour_commune, EventIndexPage), title="Bal du port",
                     start=now + dt.timedelta(days=3))
    NewsPageFactory(parent=section(commune, NewsIndexPage), title="Le marché déménage")

    folder, partner_origin = partner_site
    (folder / "index.html").write_text(PARTNER_PAGE.format(api=live_server.url),
                                       encoding="utf-8")
    page = browser_context.new_page()
    api_requests = []
    page.on("request", lambda request: "/api/" in request.url and api_requests.append(request))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{partner_origin}/index.html")

    # The commune's next two events, soonest first, linked to their canonical pages.
    agenda_widget = page.locator("#agenda")
    items = agenda_widget.locator("li")
    expect(items).to_have_count(2)
    expect(agenda_widget.get_by_role("heading", name="Prochains événements")).to_be_visible()
    link = agenda_widget.get_by_role("link", name="Fest-noz")
    expect(link).to_have_attribute("href", "http://donges.localhost/agenda/fest-noz/")
    start_paris = timezone.localtime(first)
    expect(items.first.locator("time")).to_have_attribute(
        "datetime", start_paris.isoformat())
    expect(items.first.locator("time")).to_contain_text(f"{start_paris:%H:%M}")
    expect(items.first).to_contain_text("Salle Jules-Verne")
    # Remote text is text: the title's markup is shown, never parsed.
    expect(items.nth(1).get_by_role("link")).to_have_text("<img src=x onerror=alert(1)> Loto")
    assert agenda_widget.locator("img").count() == 0
    expect(agenda_widget).not_to_contain_text("Déjà passé")

    # The neighbourhood: Montoir's event, attributed.
    around = page.locator("#around")
    expect(around.get_by_role("heading", name="Autour de Donges")).to_be_visible()
    expect(around.locator("li")).to_have_count(4)
    expect(around.locator("li", has_text="Bal du port")).to_contain_text(
        "via Montoir-de-Bretagne")

    expect(page.locator("#news").get_by_role("link", name="Le marché déménage")).to_be_visible()

    # A bad commune: the API answers 400, the widget says so in French.
    expect(page.locator("#broken").get_by_role("alert")).to_have_text(
        "L'agenda ne peut pas être affiché pour le moment.")

    assert dialogs == []
    events_calls = [r for r in api_requests if "/api/events?" in r.url]
    assert any("commune=44052" in r.url and "page_size=2" in r.url for r in events_calls)
    # Cross-origin for real: the browser sent the partner's origin, the API allowed it.
    assert {r.all_headers().get("origin") for r in events_calls} == {partner_origin}
    assert events_calls[0].response().all_headers()["access-control-allow-origin"] == "*"


def test_widget_sets_no_markup_from_remote_strings():
    source = (WIDGET / "clocher-widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, sink

"""A kind added by a test-only app (tests/kinds_app) federates between two live
instances like the built-in ones: Montoir (instance 2) publishes, updates and deletes a
producers' market; Donges (instance 1), which follows it, stores it as that kind and
lists it in its own API, through the same inbox, worker and mirror as every kind.
Both instances run with the app installed (tests/kinds_app/settings_peer.py)."""

from __future__ import annotations

import shutil

import pytest

from .instances import COMMUNE, Instance, free_port, wait_for

pytestmark = pytest.mark.federation_e2e

SETTINGS = "tests.kinds_app.settings_peer"

PUBLISH = """
import datetime as dt
from django.utils import timezone
from cms.communes.models import CommuneHomePage
from tests.kinds_app.models import MarketIndexPage, MarketPage
commune = CommuneHomePage.objects.get(slug="montoir-de-bretagne")
markets = MarketIndexPage.objects.child_of(commune).get()
start = (timezone.now() + dt.timedelta(days=4)).replace(second=0, microsecond=0)
page = MarketPage(title={title!r}, slug="marche", start=start,
                  end=start + dt.timedelta(hours=4), place="Place de la mairie",
                  summary="Producteurs du pays.", live=False)
markets.add_child(instance=page)
page.save_revision().publish()
print(page.pk)
"""

RETITLE = """
from tests.kinds_app.models import MarketPage
page = MarketPage.objects.get(pk={pk})
page.title = {title!r}
page.save_revision().publish()
"""

DELETE = """
from tests.kinds_app.models import MarketPage
MarketPage.objects.get(pk={pk}).delete()
"""


def _remote_markets(instance: Instance, origin: str) -> dict[str, dict]:
    data = instance.get("/api/markets?page_size=100") or {}
    return {item["title"]: item for item in data.get("results", [])
            if (item.get("provenance") or {}).get("origin_server") == origin}


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("federation-e2e-kind")
    port1, port2 = free_port(), free_port()
    peers = [f"127.0.0.1:{port1}", f"127.0.0.1:{port2}"]
    one = Instance("one", tmp, port1, peers, settings=SETTINGS)
    two = Instance("two", tmp, port2, peers, settings=SETTINGS)
    one.manage("migrate", "-v0", timeout=300)
    shutil.copy(one.db, two.db)
    one.shell(COMMUNE.format(insee="44052", name="Donges", lat=47.318, lon=-2.075))
    two.shell(COMMUNE.format(insee="44103", name="Montoir-de-Bretagne", lat=47.33, lon=-2.151))
    one.start()
    two.start()
    yield one, two
    one.stop()
    two.stop()


def test_the_extra_kind_federates_out_and_in(instances):
    one, two = instances
    origin = f"127.0.0.1:{two.port}"
    # Donges shows what Montoir's server sends at once (remote content is otherwise held
    # for review and shown nowhere: tests/publishing/test_audience.py).
    one.shell("from cms.communes.models import CommuneHomePage\n"
              "from federation.models import AcceptanceRule\n"
              "AcceptanceRule.objects.create(receiver=CommuneHomePage.objects.get("
              f"slug='donges'), source_server='{origin}', decision='accept')")
    one.shell("from cms.communes.models import CommuneHomePage\n"
              "from federation.activitypub.remote import follow_remote\n"
              "follow_remote(commune=CommuneHomePage.objects.get(slug='donges'), "
              f"handle_or_url='montoir-de-bretagne@{origin}')")
    wait_for(lambda: one.query("SELECT state FROM federation_follow") == [("accepted",)],
             timeout=30, what="Montoir's Accept on instance 1")

    # Out of instance 2: the object names its kind.
    pk = int(two.shell(PUBLISH.format(title="Marché des producteurs")).split()[-1])
    sent = two.get(f"/ap/objects/{pk}")
    assert (sent["type"], sent["clocherKind"]) == ("Event", "market")

    # Into instance 1: stored as a market (not as an event), listed by its own endpoint.
    markets = wait_for(lambda: _remote_markets(one, origin), timeout=30,
                       what="the Create on instance 1")
    item = markets["Marché des producteurs"]
    assert item["kind"] == "market" and item["place"] == "Place de la mairie"
    assert item["provenance"]["origin_commune"] == "Montoir-de-Bretagne"
    assert one.query("SELECT count(*) FROM kinds_app_marketpage WHERE ap_id != ''") == [(1,)]
    events = one.get("/api/events?page_size=100")["results"]
    assert "Marché des producteurs" not in {event["title"] for event in events}
    detail = one.get(f"/api/markets/{item['id']}")
    assert detail["summary"] == "Producteurs du pays."

    # Update, then delete: both reach instance 1.
    two.shell(RETITLE.format(pk=pk, title="Marché des producteurs (nocturne)"))
    wait_for(lambda: set(_remote_markets(one, origin)) == {"Marché des producteurs (nocturne)"},
             timeout=30, what="the Update on instance 1")
    two.shell(DELETE.format(pk=pk))
    wait_for(lambda: not _remote_markets(one, origin), timeout=30,
             what="the Delete on instance 1")
    assert one.query("SELECT count(*) FROM federation_inboxmessage WHERE state = 'failed'") \
        == [(0,)]

"""A kind added by a test-only app (tests/kinds_app) federates between two live
instances like the built-in ones: Montoir (instance 2) publishes, updates and deletes a
producers' market; Donges (instance 1), which follows it, stores it as that kind and
lists it in its own API, through the same inbox, worker and mirror as every kind.
Both instances run with the app installed (tests/kinds_app/settings_peer.py)."""

from __future__ import annotations

import pytest

from .instances import Instance, donges_and_montoir, donges_follows_montoir, wait_for

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
    yield from donges_and_montoir(tmp_path_factory.mktemp("federation-e2e-kind"), settings=SETTINGS)


def test_the_extra_kind_federates_out_and_in(instances):
    one, two = instances
    origin = donges_follows_montoir(one, two)

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

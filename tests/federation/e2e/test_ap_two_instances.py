"""Two live instances of the project federating over loopback.

Each instance is two processes (runserver + run_worker) on its own SQLite database.
Donges (instance 1) follows Montoir-de-Bretagne (instance 2) by its WebFinger handle;
Montoir publishes, updates and deletes an event; each change shows in instance 1's
public API within seconds. Instance 1 is then stopped while Montoir keeps publishing;
once it is back, nothing is lost. Every inbox POST is verified for real (signatures,
digest, key fetched from the other instance); nothing is mocked.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from .instances import Instance, donges_and_montoir, donges_follows_montoir, wait_for

pytestmark = pytest.mark.federation_e2e

PUBLISH = """
import datetime as dt
from django.utils import timezone
from cms.communes.models import CommuneHomePage
from cms.content.models import EventIndexPage, EventPage
commune = CommuneHomePage.objects.get(slug="montoir-de-bretagne")
agenda = EventIndexPage.objects.child_of(commune).get()
start = (timezone.now() + dt.timedelta(days=30)).replace(hour=18, minute=0, second=0,
                                                         microsecond=0)
page = EventPage(title={title!r}, slug={slug!r}, start=start, end=start + dt.timedelta(hours=5),
                 venue_name="Parc paysager", address="Rue de la Gare", summary="Concerts.",
                 live=False)
agenda.add_child(instance=page)
page.save_revision().publish()
print(page.pk)
"""

RETITLE = """
from cms.content.models import EventPage
page = EventPage.objects.get(pk={pk})
page.title = {title!r}
page.save_revision().publish()
"""

DELETE = """
from cms.content.models import EventPage
EventPage.objects.get(pk={pk}).delete()
"""


def _remote_titles(instance: Instance, origin: str) -> set[str]:
    data = instance.get("/api/events?page_size=100") or {}
    return {item["title"] for item in data.get("results", [])
            if (item.get("provenance") or {}).get("origin_server") == origin}


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    yield from donges_and_montoir(tmp_path_factory.mktemp("federation-e2e"))


def test_follow_publish_update_delete_and_outage(instances):
    one, two = instances
    origin = donges_follows_montoir(one, two)
    followers = two.get("/ap/communes/montoir-de-bretagne/followers")
    assert followers["totalItems"] == 1

    # Publish: the event shows in instance 1's public API, with its provenance.
    pk = int(two.shell(PUBLISH.format(title="Fête de la musique", slug="fete")).split()[-1])
    wait_for(lambda: "Fête de la musique" in _remote_titles(one, origin), timeout=30,
             what="the Create on instance 1")
    item = next(i for i in one.get("/api/events?page_size=100")["results"]
                if i["title"] == "Fête de la musique")
    # The origin's canonical URL: the page on Montoir's own site.
    assert item["provenance"]["origin_url"].endswith("/agenda/fete/")
    assert item["provenance"]["origin_commune"] == "Montoir-de-Bretagne"

    # Update.
    two.shell(RETITLE.format(pk=pk, title="Fête de la musique 2027"))
    wait_for(lambda: _remote_titles(one, origin) == {"Fête de la musique 2027"}, timeout=30,
             what="the Update on instance 1")

    # Instance 1 goes down; Montoir updates and publishes meanwhile.
    one.stop()
    two.shell(RETITLE.format(pk=pk, title="Fête de la musique (lieu changé)")
              + PUBLISH.format(title="Feu d'artifice", slug="feu"))
    wait_for(lambda: two.query("SELECT count(*) FROM federation_delivery WHERE state='queued' "
                               "AND attempts > 0")[0][0] >= 1,
             timeout=30, what="a failed delivery attempt while instance 1 is down")
    time.sleep(2)  # stay down across several retries
    one.start()
    wait_for(lambda: _remote_titles(one, origin) == {"Fête de la musique (lieu changé)",
                                                      "Feu d'artifice"},
             timeout=45, what="the missed activities once instance 1 is back")

    # Delete: gone from instance 1, 410 + Tombstone on instance 2.
    two.shell(DELETE.format(pk=pk))
    wait_for(lambda: _remote_titles(one, origin) == {"Feu d'artifice"}, timeout=30,
             what="the Delete on instance 1")
    try:
        urllib.request.urlopen(f"{two.base}/ap/objects/{pk}", timeout=5)  # noqa: S310
        raise AssertionError("deleted object still served")
    except urllib.error.HTTPError as error:
        assert error.code == 410
        assert json.loads(error.read())["type"] == "Tombstone"

    # Every activity instance 1 applied passed signature verification in its inbox view
    # (unsigned ones are never stored), and none was applied twice.
    states = dict(one.query("SELECT state, count(*) FROM federation_inboxmessage "
                            "GROUP BY state"))
    assert states.get("processed", 0) >= 6, states
    assert states.get("failed", 0) == 0, states
    assert one.query("SELECT count(*) FROM content_eventpage WHERE ap_id != ''")[0][0] == 1

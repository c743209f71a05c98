"""The change feed filtered on a receiving commune follows the items shared into it: a
partner mirroring that commune gets them when accepted, their updates, and their
withdrawal (declined, hidden, unpublished) as an unpublishing."""

import pytest

from federation.models import AcceptanceRule, SharedItem
from federation.sharing import share_decide
from tests.factories import changes_numbered, make_news, publish

from .conftest import sharing_policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_cache")]


def _feed(client, insee: str, cursor: str = "") -> tuple[list[dict], str]:
    changes_numbered()
    response = client.get("/api/changes", {"commune": insee, "cursor": cursor} if cursor
                          else {"commune": insee})
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"], body["next_cursor"]


def _mirror(entries: list[dict], mirror: dict[int, dict]) -> dict[int, dict]:
    """What a partner does with the feed: keep created/updated items, drop the others."""
    for entry in entries:
        if entry["action"] in ("created", "updated"):
            mirror[entry["id"]] = entry["item"]
        else:
            mirror.pop(entry["id"], None)
    return mirror


def test_receiver_feed_follows_a_shared_item_from_acceptance_to_withdrawal(
        client, commune, neighbour_commune):
    sharing_policy(commune)  # Donges shares with Montoir, held for review
    news = publish(make_news(commune, title="Vide-grenier du port"))
    entries, cursor = _feed(client, "44103")
    assert news.pk not in _mirror(entries, {})  # pending: not Montoir's yet

    share = SharedItem.objects.get(page=news, receiver=neighbour_commune)
    share_decide(share=share, action="accept", user=None)
    entries, cursor = _feed(client, "44103", cursor)
    mirror = _mirror(entries, {})
    assert mirror[news.pk]["title"] == "Vide-grenier du port"
    assert mirror[news.pk]["shared_with"] == ["44103"]

    news.title = "Vide-grenier du port (reporté)"
    publish(news)
    entries, cursor = _feed(client, "44103", cursor)
    assert _mirror(entries, mirror)[news.pk]["title"] == "Vide-grenier du port (reporté)"

    share_decide(share=share, action="hide", user=None)
    entries, cursor = _feed(client, "44103", cursor)
    assert [(e["id"], e["action"], e["item"]) for e in entries] == [
        (news.pk, "unpublished", None)]
    assert news.pk not in _mirror(entries, mirror)

    # The origin's own feed still has the item, as updated.
    own, _ = _feed(client, "44052")
    assert _mirror(own, {})[news.pk]["shared_with"] == []


def test_unpublishing_a_shared_item_reaches_the_receivers_feed(client, commune,
                                                                neighbour_commune):
    sharing_policy(commune)
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_commune=commune,
                                  decision="accept")
    news = publish(make_news(commune))
    entries, cursor = _feed(client, "44103")
    mirror = _mirror(entries, {})
    assert news.pk in mirror

    news.unpublish()
    entries, _cursor = _feed(client, "44103", cursor)
    assert [(e["id"], e["action"]) for e in entries] == [(news.pk, "unpublished")]
    assert news.pk not in _mirror(entries, mirror)


def test_unrelated_communes_do_not_see_shared_changes(client, commune, neighbour_commune,
                                                      far_commune):
    sharing_policy(commune)
    AcceptanceRule.objects.create(receiver=neighbour_commune, source_commune=commune,
                                  decision="accept")
    news = publish(make_news(commune))
    entries, _cursor = _feed(client, "44069")  # Guérande: 25 km, not in the audience
    assert news.pk not in {entry["id"] for entry in entries}

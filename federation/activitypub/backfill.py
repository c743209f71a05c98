"""A commune's outbox: its public items, newest first, in pages (backfill).

A new follower's server reads it to show what the commune published before the follow
(the outbox rows exist only from the first follower on, so the collection is built from
the commune's live pages, not from them). Each item is a `Create` of the object as it is
now, with a stable id (`<object>#create`): fetching the page twice gives the same
activities.
"""

from __future__ import annotations

from typing import Any

from wagtail.models import Page

from cms.content.kinds import content_models
from cms.core.locales import default_locale

from .outbound import actor_url, object_url, page_to_ap
from .wire import AS_CONTEXT, AS_PUBLIC

PAGE_SIZE = 20


def commune_public_pages(*, commune):
    """The commune's live items of every kind that federates, in its source language,
    newest first."""
    return (Page.objects.live().descendant_of(commune).type(*content_models())
            .filter(locale=default_locale()).order_by("-first_published_at", "-pk"))


def outbox_collection(*, commune) -> dict[str, Any]:
    url = f"{actor_url(commune)}/outbox"
    return {"@context": AS_CONTEXT, "id": url, "type": "OrderedCollection",
            "totalItems": commune_public_pages(commune=commune).count(),
            "first": f"{url}?page=1", "last": f"{url}?page={_last_page(commune)}"}


def _last_page(commune) -> int:
    total = commune_public_pages(commune=commune).count()
    return max(1, -(-total // PAGE_SIZE))


def outbox_page(*, commune, number: int) -> dict[str, Any]:
    """Page `number` (from 1) of the outbox, an OrderedCollectionPage."""
    url = f"{actor_url(commune)}/outbox"
    start = (number - 1) * PAGE_SIZE
    window = list(commune_public_pages(commune=commune).specific()[start:start + PAGE_SIZE + 1])
    actor = actor_url(commune)
    items = []
    for page in window[:PAGE_SIZE]:
        document = page_to_ap(page)
        if document.get("updated") == document.get("published"):
            document.pop("updated", None)  # never edited: not shown as edited
        items.append({"id": f"{object_url(page.pk)}#create", "type": "Create",
                      "actor": actor, "published": document.get("published"),
                      "to": [AS_PUBLIC], "cc": [f"{actor}/followers"], "object": document})
    result: dict[str, Any] = {
        "@context": AS_CONTEXT, "id": f"{url}?page={number}", "type": "OrderedCollectionPage",
        "partOf": url, "orderedItems": items}
    if len(window) > PAGE_SIZE:
        result["next"] = f"{url}?page={number + 1}"
    if number > 1:
        result["prev"] = f"{url}?page={number - 1}"
    return result

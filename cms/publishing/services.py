"""The publishing pipeline: every change of published content goes through here.

Publish, unpublish, delete, move, translate, go-live and expiry (the page signals in
signals.py), remote content accepted by federation/ and the bulk paths all call
these services. In the caller's transaction each one
  1. decides the audiences (sharing rules, through audience.py),
  2. writes the read model once (the API item and one change-feed event), then
  3. appends one outbox row per consumer category (search index, ActivityPub, page
     cache, …) for the worker loop.
A rollback records nothing; a commit is never lost, even if every worker is down.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import prefetch_related_objects
from wagtail.models import Page

from cms.content.kinds import content_models, kind_of_page
from cms.core.locales import default_locale
from cms.readmodel import services as read_model
from cms.readmodel.audience import Home, audience_decide, audience_sync
from cms.readmodel.models import ChangeAction
from cms.readmodel.payloads import commune_ref_for

from .categories import (  # noqa: F401 (the pipeline's categories, named here too)
    ACTIVITYPUB,
    CHANGE_FEED,
    OPEN_DATA,
    PAGE_CACHE,
    PIPELINE_CATEGORIES,
    SEARCH,
)
from .outbox import consumers, outbox_append, outbox_append_many, outbox_batch


@dataclass(frozen=True)
class Observer:
    """In-transaction work of another app on published pages (no network)."""

    published: Callable[[Sequence[Page]], None] | None = None
    removed: Callable[[Sequence[Page]], None] | None = None
    # Items whose audience changed outside a publish (a neighbour accepted later): the
    # ids of their live pages.
    audience_changed: Callable[[list[int]], None] | None = None


_observers: list[Observer] = []


def observer_register(observer: Observer) -> None:
    _observers.append(observer)


def _content(pages: Iterable[Page]) -> list[Page]:
    """The content pages among these (specific), with their locale at hand: most are in
    the default one, which every step of the pipeline asks for."""
    content = []
    locale = default_locale()
    for page in pages:
        page = page.specific_deferred if type(page) is Page else page
        if isinstance(page, content_models()):
            if page.locale_id == locale.pk and not Page.locale.is_cached(page):
                Page.locale.field.set_cached_value(page, locale)
            content.append(page)
    return content


def _home(page: Page) -> Home | None:
    """The page's own commune, as its Audience row names it."""
    commune = page.commune
    ref = commune_ref_for(page=page)
    if commune is None or ref is None:
        return None
    return Home(translation_key=page.translation_key, commune_id=ref.id,
                commune_key=commune.translation_key, kind=kind_of_page(page).name,
                local=not commune.origin_server)


def _consumers_notify(*, pages: Sequence[Page], removed: bool) -> None:
    """One outbox row per consumer and page it wants, in one INSERT (the change feed's
    row goes with each change the read model records)."""
    federates = consumers()[ACTIVITYPUB].wants
    outbox_append_many([
        *((SEARCH, page.pk, {"locale": page.locale.language_code}) for page in pages),
        *((ACTIVITYPUB, page.pk, {"removed": removed, "kind": kind_of_page(page).name})
          for page in pages if federates is None or federates(page)),
        (PAGE_CACHE, 0, {}),
        *_open_data_rows(pages),
    ])


def _open_data_rows(pages: Sequence[Page]) -> list[tuple[str, int, dict]]:
    """One row per commune whose open data the pages change, and one for the platform
    (coalesced: a commune's files are rebuilt once for a batch of its pages)."""
    wants = consumers()[OPEN_DATA].wants
    communes = {page.commune.pk for page in pages
                if (wants is None or wants(page)) and page.commune is not None}
    return [*((OPEN_DATA, pk, {}) for pk in sorted(communes)),
            *([(OPEN_DATA, 0, {})] if communes else [])]


@transaction.atomic(savepoint=False)
def pages_publish(*, pages: Iterable[Page]) -> list[Page]:
    """A page (or several) is live in a new version: share, record, notify."""
    content = [page for page in _content(pages) if page.live]
    prefetch_related_objects(content, "categories")  # the rules and the item read them
    with outbox_batch():
        known = {}
        for page in content:
            reaches = audience_decide(page=page)
            if reaches is not None:
                known[page.translation_key] = reaches
        sharing = audience_sync(keys={page.translation_key for page in content},
                                homes=filter(None, map(_home, content)), known=known)
        read_model.items_sync(pages=content, sharing=sharing.by_key,
                              commune_ids=sharing.commune_ids)
        if content:
            _consumers_notify(pages=content, removed=False)
            for observer in _observers:
                if observer.published:
                    observer.published(content)
    return content


@transaction.atomic(savepoint=False)
def pages_withdraw(*, pages: Iterable[Page], action: str = ChangeAction.UNPUBLISHED,
                   ) -> list[Page]:
    """Pages are no longer public (unpublished, expired, deleted): record tombstones."""
    content = _content(pages)
    if not content:
        return []
    with outbox_batch():
        read_model.items_remove(page_ids=[page.pk for page in content], action=action)
        _consumers_notify(pages=content, removed=True)
    for observer in _observers:
        if observer.removed:
            observer.removed(content)
    return content


@transaction.atomic(savepoint=False)
def pages_moved(*, page: Page) -> None:
    """A subtree moved: URLs, communes and audiences of its live pages may change."""
    subtree = list(Page.objects.descendant_of(page, inclusive=True).specific())
    live = [descendant for descendant in subtree if descendant.live]
    pages_publish(pages=live)
    withdrawn = [descendant for descendant in subtree if not descendant.live]
    if withdrawn:
        # Not live: only the search index must learn the new place (it stores drafts' tombstones).
        content = _content(withdrawn)
        pages_reindex(page_ids=[p.pk for p in content],
                      locales={p.pk: p.locale.language_code for p in content})


@transaction.atomic(savepoint=False)
def items_audience_changed(*, translation_keys: Iterable[uuid.UUID]) -> list[int]:
    """Sharing decisions changed outside a publish (a receiver accepted, hid, featured;
    rules were re-applied): refresh the read model and tell the consumers."""
    keys = set(translation_keys)
    sharing = audience_sync(keys=keys).by_key
    page_ids = read_model.items_sharing_refresh(translation_keys=keys, sharing=sharing)
    if page_ids:
        outbox_append_many([*((SEARCH, page_id, {}) for page_id in page_ids),
                            (PAGE_CACHE, 0, {})])
        for observer in _observers:
            if observer.audience_changed:
                observer.audience_changed(page_ids)
    return page_ids


def pages_reindex(*, page_ids: Iterable[int], locales: dict[int, str] | None = None) -> int:
    """Ask for pages to be reindexed (search maintenance, bulk paths)."""
    return outbox_append(category=SEARCH, object_ids=list(page_ids),
                         payloads={page_id: {"locale": locale}
                                   for page_id, locale in (locales or {}).items()})

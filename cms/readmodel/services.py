"""Writes of the read model: the published items (their change-feed events: changes.py)."""

import datetime as dt
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from wagtail.models import Page, Site

from cms.communes.models import CommuneHomePage
from cms.content.kinds import content_models, kind_of_page

from . import microcache
from .changes import change_record, changes_generation_bump, changes_record
from .jsonld import canonical_url, page_urls_memoized
from .models import (
    Change,
    ChangeAction,
    PublishedItem,
    PublishedItemCategory,
)
from .payloads import (
    CommuneRef,
    commune_ref_for,
    commune_refs_by_path,
    page_payload,
    page_position,
    payload_etag,
)

logger = logging.getLogger(__name__)

REBUILD_BATCH_SIZE = 1_000


# --- read model -----------------------------------------------------------------------


def _updated_at(page: Page) -> dt.datetime:
    return page.last_published_at or page.first_published_at or timezone.now()


def item_values(*, page: Page, commune: CommuneRef, translations: list[dict],
                 category_slugs: list[str],
                 sharing: tuple[list[str], list[str]] | None = None) -> dict[str, Any]:
    url = canonical_url(page)
    updated_at = _updated_at(page)
    payload = page_payload(page=page, commune=commune, url=url, updated_at=updated_at,
                           category_slugs=category_slugs, translations=translations,
                           sharing=sharing)
    latitude, longitude = page_position(page, commune)
    start, end, severity = kind_of_page(page).dates(page)
    kind = payload["kind"]
    return {
        "kind": kind, "commune_id": commune.id, "locale": payload["locale"],
        "translation_key": page.translation_key, "title": page.title[:255],
        "start": start, "end": end, "severity": severity,
        "latitude": latitude, "longitude": longitude, "updated_at": updated_at,
        "url": url[:500], "payload": payload, "etag": payload_etag(payload),
        # Provenance of pages received over ActivityPub (federation/); blank for local ones.
        "origin_commune": (payload["provenance"]["origin_commune"] or "")[:255],
        "origin_server": (payload["provenance"]["origin_server"] or "")[:255],
        "origin_url": (payload["provenance"]["origin_url"] or "")[:500],
    }


def _translation_links(*, translation_key, exclude_id: int) -> list[dict]:
    return [
        {"locale": locale, "id": item_id, "url": url}
        for item_id, locale, url in PublishedItem.objects.filter(translation_key=translation_key)
        .exclude(pk=exclude_id).order_by("locale").values_list("pk", "locale", "url")
    ]


def _refresh_translations(*, translation_key, changed_id: int) -> None:
    """Update the `translations` links of an item's siblings, as feed changes too."""
    siblings = list(PublishedItem.objects.filter(translation_key=translation_key)
                    .exclude(pk=changed_id))
    for sibling in siblings:
        payload = dict(sibling.payload)
        payload["translations"] = _translation_links(translation_key=translation_key,
                                                     exclude_id=sibling.pk)
        if payload == sibling.payload:
            continue
        sibling.payload, sibling.etag = payload, payload_etag(payload)
        sibling.save(update_fields=["payload", "etag"])
        change_record(item_id=sibling.pk, kind=sibling.kind, locale=sibling.locale,
                       commune_id=sibling.commune_id, action=ChangeAction.UPDATED,
                       payload=payload)


def item_sync(*, page: Page) -> PublishedItem | None:
    """`items_sync()` for one page: its API row, or None when it has none."""
    items_sync(pages=[page])
    return PublishedItem.objects.filter(pk=page.pk).first()


@transaction.atomic(savepoint=False)
def items_sync(*, pages: Iterable[Page], sharing: dict | None = None,
               commune_ids: dict[str, int] | None = None) -> list[PublishedItem]:
    """Bring the API rows of pages in line with their live versions (or remove them);
    return the rows written.

    Called by the publishing pipeline (cms/publishing), inside the publishing
    transaction, once the audiences are decided, with one page or a batch: a
    constant number of statements for the batch plus one UPDATE per changed row.
    Records a change only where the representation actually changed. `commune_ids`
    (INSEE code -> id) spares the change feed looking up communes the caller knows.
    """
    pages = [page.specific_deferred if type(page) is Page else page for page in pages]
    pages = [page for page in pages if isinstance(page, content_models())]
    gone = [page.pk for page in pages if not page.live]
    if gone:
        items_remove(page_ids=gone)
    live = [page for page in pages if page.live]
    if not live:
        return []
    keys = {page.translation_key for page in live}
    if sharing is None:
        from cms.readmodel.audience import sharing_by_translation_key

        sharing = sharing_by_translation_key(keys=keys)
    links, existing = _rows_of(keys=keys, page_ids=[page.pk for page in live])
    prefetch_related_objects(live, "categories")
    written, changes = [], []
    for page in live:
        commune = commune_ref_for(page=page)
        if commune is None:
            continue
        values = item_values(
            page=page, commune=commune,
            translations=[link for link in links.get(page.translation_key, [])
                          if link["id"] != page.pk],
            category_slugs=[category.slug for category in page.categories.all()],
            sharing=sharing.get(page.translation_key, ([], [])))
        before = existing.get(page.pk)
        if before is not None and before.etag == values["etag"]:
            continue
        item = PublishedItem(page_id=page.pk, **values)
        if before is None:
            item.save(force_insert=True)
        else:
            item.save(force_update=True)
        written.append(item)
        changes.append((Change(item_id=item.pk, kind=item.kind, locale=item.locale,
                               commune_id=item.commune_id, payload=item.payload,
                               action=ChangeAction.UPDATED if before else ChangeAction.CREATED),
                        before.payload if before is not None else None))
    if not written:
        return []
    rewritten = [item.pk for item in written if item.pk in existing]
    if rewritten:
        PublishedItemCategory.objects.filter(item_id__in=rewritten).delete()
    PublishedItemCategory.objects.bulk_create(
        PublishedItemCategory(item_id=item.pk, slug=slug)
        for item in written for slug in sorted(set(item.payload["categories"])))
    changes_record(changes, commune_ids=commune_ids)
    for item in written:
        if item.pk not in existing and item.payload["translations"]:
            # Siblings list this new translation in their own `translations`.
            _refresh_translations(translation_key=item.translation_key, changed_id=item.pk)
    return written


def _rows_of(*, keys, page_ids: list[int]) -> tuple[dict, dict[int, PublishedItem]]:
    """The `translations` links of every item of these translation keys, by key, and
    the current rows of these pages: one query."""
    links: dict = {}
    existing = {}
    for item in (PublishedItem.objects.filter(Q(translation_key__in=keys) | Q(pk__in=page_ids))
                 .order_by("locale")
                 .only("page_id", "locale", "url", "translation_key", "etag", "payload")):
        if item.translation_key in keys:
            links.setdefault(item.translation_key, []).append(
                {"locale": item.locale, "id": item.pk, "url": item.url})
        existing[item.pk] = item
    return links, {page_id: existing[page_id] for page_id in page_ids if page_id in existing}


@transaction.atomic(savepoint=False)
def items_remove(*, page_ids: Iterable[int], action: str = ChangeAction.UNPUBLISHED) -> int:
    """Drop the API rows of these pages and record a tombstone each (unpublished or
    deleted): one DELETE and one `changes_record()`; return how many rows went.

    A deletion unpublishes the page first (Wagtail's pre_delete receiver); whichever
    of the two reaches here first, the feed ends with one "deleted" tombstone: a
    deletion upgrades the unpublished tombstone not yet numbered.
    """
    page_ids = list(page_ids)
    items = list(PublishedItem.objects.filter(pk__in=page_ids).order_by("pk"))
    if action == ChangeAction.DELETED:
        gone = set(page_ids) - {item.pk for item in items}
        if gone:
            Change.objects.filter(item_id__in=gone, seq__isnull=True,
                                  action=ChangeAction.UNPUBLISHED).update(
                action=ChangeAction.DELETED)
    if not items:
        return 0
    PublishedItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    changes_record([
        (Change(item_id=item.pk, kind=item.kind, locale=item.locale,
                commune_id=item.commune_id, action=action, payload=None), item.payload)
        for item in items])
    keys = {item.translation_key: item.pk for item in items}
    if PublishedItem.objects.filter(translation_key__in=keys).exists():
        for translation_key, item_id in keys.items():
            _refresh_translations(translation_key=translation_key, changed_id=item_id)
    return len(items)


@transaction.atomic
def items_sharing_refresh(*, translation_keys: Iterable, sharing: dict | None = None,
                          ) -> list[int]:
    """Update `shared_with` / `featured_in` of the items of these translation keys after
    a share decision (federation/); record a change for each item that moved, so list
    ETags and mirrors follow. Return the ids of the items concerned."""
    from cms.readmodel.audience import sharing_by_translation_key

    keys = list(translation_keys)
    if sharing is None:
        sharing = sharing_by_translation_key(keys=keys)
    items = list(PublishedItem.objects.filter(translation_key__in=keys))
    for item in items:
        shared_with, featured_in = sharing.get(item.translation_key, ([], []))
        payload = dict(item.payload)
        payload["shared_with"], payload["featured_in"] = shared_with, featured_in
        if payload == item.payload:
            continue
        before = item.payload
        item.payload, item.etag = payload, payload_etag(payload)
        item.save(update_fields=["payload", "etag"])
        change_record(item_id=item.pk, kind=item.kind, locale=item.locale,
                       commune_id=item.commune_id, action=ChangeAction.UPDATED,
                       payload=payload, before=before)
    return [item.pk for item in items]


def items_rebuild(*, batch_size: int = REBUILD_BATCH_SIZE,
                  progress=None) -> int:
    """Rebuild the whole read model from live pages, in bulk; record no changes.

    For bulk-seeded databases (no signals) and recovery. Partners mirroring through
    the change feed should resync from the lists afterwards.
    """
    refs = commune_refs_by_path()
    homes = {home.path: home for home in CommuneHomePage.objects.all()}
    total = 0
    with transaction.atomic():
        PublishedItemCategory.objects.all().delete()
        PublishedItem.objects.all().delete()
    # Site root paths cannot change during a rebuild; Wagtail would otherwise read and
    # unpickle them from the cache for every URL of 200,000 pages.
    root_paths = Site.get_site_root_paths()
    with site_root_paths_pinned(root_paths):
        total = _rebuild_items(refs=refs, homes=homes, batch_size=batch_size, progress=progress)
    _rebuild_translation_links()
    changes_generation_bump()
    microcache.clear()
    return total


@contextmanager
def site_root_paths_pinned(root_paths):
    """Serve Site.get_site_root_paths() from memory for the duration of a bulk rebuild,
    and each page's URL, computed once (no page moves during one)."""
    original = Site.__dict__["get_site_root_paths"]
    Site.get_site_root_paths = staticmethod(lambda: root_paths)
    try:
        with page_urls_memoized():
            yield
    finally:
        Site.get_site_root_paths = original


def _rebuild_items(*, refs, homes, batch_size: int, progress) -> int:
    from cms.readmodel.audience import sharing_by_translation_key

    sharing = sharing_by_translation_key()
    total = 0
    lengths = sorted({len(path) for path in homes})
    for model in content_models():
        queryset = (model.objects.live().select_related("locale")
                    .prefetch_related("categories").order_by("pk"))
        if hasattr(model, "image"):
            queryset = queryset.select_related("image")
        last_pk = 0
        while True:
            pages = list(queryset.filter(pk__gt=last_pk)[:batch_size])
            if not pages:
                break
            last_pk = pages[-1].pk
            items, categories = [], []
            for page in pages:
                commune = commune_ref_for(page=page, refs=refs)
                if commune is None:
                    continue
                # Saves the ancestor query of CommuneContentPage.commune (a cached_property).
                page.__dict__["commune"] = next(
                    (home for length in lengths if (home := homes.get(page.path[:length]))),
                    None)
                slugs = sorted({category.slug for category in page.categories.all()})
                values = item_values(page=page, commune=commune, translations=[],
                                      category_slugs=slugs,
                                      sharing=sharing.get(page.translation_key, ([], [])))
                items.append(PublishedItem(page_id=page.pk, **values))
                categories.extend(PublishedItemCategory(item_id=page.pk, slug=slug)
                                  for slug in slugs)
            with transaction.atomic():
                PublishedItem.objects.bulk_create(items, batch_size=batch_size)
                PublishedItemCategory.objects.bulk_create(categories, batch_size=batch_size)
            total += len(items)
            if progress:
                progress(model, total)
    return total


def _rebuild_translation_links() -> None:
    from django.db.models import Count

    keys = (PublishedItem.objects.values("translation_key").annotate(n=Count("pk"))
            .filter(n__gt=1).values_list("translation_key", flat=True))
    for translation_key in keys.iterator():
        with transaction.atomic():
            for item in PublishedItem.objects.filter(translation_key=translation_key):
                payload = dict(item.payload)
                payload["translations"] = _translation_links(translation_key=translation_key,
                                                             exclude_id=item.pk)
                item.payload, item.etag = payload, payload_etag(payload)
                item.save(update_fields=["payload", "etag"])


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"

"""Writes of the public API: the read model, the change feed, partner keys."""

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from wagtail.models import Page, Site

from cms.communes.models import CommuneHomePage
from cms.content.kinds import content_models, kind_of_page
from cms.core.locales import default_locale
from cms.publishing.categories import CHANGE_FEED
from cms.publishing.outbox import outbox_append

from . import microcache
from .jsonld import canonical_url, page_urls_memoized
from .models import (
    ApiKey,
    ApiKeyUsage,
    Change,
    ChangeAction,
    ChangeAudience,
    ChangeSequence,
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
KEY_TOKEN_PREFIX = "clo_"  # noqa: S105 (a public marker, not a secret)


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


def _shared_with(payload: dict | None) -> set[str]:
    return set((payload or {}).get("shared_with") or ())


def changes_record(entries: list[tuple[Change, dict | None]]) -> None:
    """Record unsaved changes, each with the item's previous payload (None if new), so
    that the communes an item is shared into, or has just left, find the change in a
    feed filtered on them (`ChangeAudience`)."""
    changes = Change.objects.bulk_create([change for change, _before in entries])
    codes = {insee for change, before in entries
             for insee in _shared_with(change.payload) | _shared_with(before)}
    ids = dict(CommuneHomePage.objects.filter(
        locale=default_locale(), origin_server="", insee_code__in=codes,
    ).values_list("insee_code", "pk")) if codes else {}
    ChangeAudience.objects.bulk_create(
        ChangeAudience(change=change, commune_id=ids[insee],
                       present=insee in _shared_with(change.payload))
        for change, (_unsaved, before) in zip(changes, entries, strict=True)
        for insee in sorted(_shared_with(change.payload) | _shared_with(before))
        if insee in ids)
    # Numbered after commit by one serialized step (the "changes" outbox category,
    # drained on commit and by the worker); see models/changes.py.
    outbox_append(category=CHANGE_FEED)
    # This process must not serve what it just replaced; again after commit, in case a
    # read in between cached the old row. Other processes: microcache.py's bound.
    microcache.clear()
    transaction.on_commit(microcache.clear)


def _record_change(*, item_id: int, kind: str, locale: str, commune_id: int | None,
                   action: str, payload: dict | None, before: dict | None = None) -> None:
    changes_record([(Change(item_id=item_id, kind=kind, locale=locale, commune_id=commune_id,
                            action=action, payload=payload), before)])


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
        _record_change(item_id=sibling.pk, kind=sibling.kind, locale=sibling.locale,
                       commune_id=sibling.commune_id, action=ChangeAction.UPDATED,
                       payload=payload)


def item_sync(*, page: Page) -> PublishedItem | None:
    """`items_sync()` for one page: its API row, or None when it has none."""
    items_sync(pages=[page])
    return PublishedItem.objects.filter(pk=page.pk).first()


@transaction.atomic(savepoint=False)
def items_sync(*, pages: Iterable[Page],
               sharing: dict | None = None) -> list[PublishedItem]:
    """Bring the API rows of pages in line with their live versions (or remove them);
    return the rows written.

    Called by the publishing pipeline (cms/publishing), inside the publishing
    transaction, once the audiences are decided, with one page or a batch: a
    constant number of statements for the batch plus one UPDATE per changed row.
    Records a change only where the representation actually changed.
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
        from cms.publishing.audience import sharing_by_translation_key

        sharing = sharing_by_translation_key(keys=keys)
    links = _translation_links_many(keys=keys)
    existing = {item.pk: item for item in PublishedItem.objects.filter(
        pk__in=[page.pk for page in live]).only("page_id", "etag", "payload")}
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
    changes_record(changes)
    for item in written:
        if item.pk not in existing and item.payload["translations"]:
            # Siblings list this new translation in their own `translations`.
            _refresh_translations(translation_key=item.translation_key, changed_id=item.pk)
    return written


def _translation_links_many(*, keys) -> dict:
    """The `translations` links of every item of these translation keys, by key."""
    links: dict = {}
    for item_id, locale, url, key in (PublishedItem.objects.filter(translation_key__in=keys)
                                      .order_by("locale")
                                      .values_list("pk", "locale", "url", "translation_key")):
        links.setdefault(key, []).append({"locale": locale, "id": item_id, "url": url})
    return links


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
    from cms.publishing.audience import sharing_by_translation_key

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
        _record_change(item_id=item.pk, kind=item.kind, locale=item.locale,
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
    _sequence_row(lock=False)
    ChangeSequence.objects.filter(pk=1).update(generation=F("generation") + 1)
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
    from cms.publishing.audience import sharing_by_translation_key

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


# --- change feed -----------------------------------------------------------------------


def _sequence_row(*, lock: bool) -> ChangeSequence:
    row, _created = ChangeSequence.objects.get_or_create(pk=1)
    if lock:
        # PostgreSQL: one numbering step at a time. SQLite serialises writers already.
        row = ChangeSequence.objects.select_for_update().get(pk=1)
    return row


def changes_assign_sequence() -> int:
    """Number committed, unnumbered changes in id order; return how many were numbered.

    Serialized by a lock on the counter row, so two numbering steps never interleave
    and every number handed out is larger than any a reader has seen.
    """
    if not Change.objects.filter(seq__isnull=True).exists():
        return 0
    with transaction.atomic():
        counter = _sequence_row(lock=True)
        pending = list(Change.objects.filter(seq__isnull=True).order_by("pk").only("pk"))
        for change in pending:
            counter.last_seq += 1
            change.seq = counter.last_seq
        Change.objects.bulk_update(pending, ["seq"], batch_size=500)
        counter.save(update_fields=["last_seq"])
    return len(pending)


def changes_prune(*, older_than: dt.timedelta) -> int:
    """Delete numbered changes older than the retention; cursors before them expire."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        counter = _sequence_row(lock=True)
        doomed = Change.objects.filter(seq__isnull=False, created_at__lt=cutoff)
        last = doomed.order_by("-seq").values_list("seq", flat=True).first()
        if last is None:
            return 0
        deleted, _by_model = Change.objects.filter(seq__lte=last).delete()
        counter.pruned_through = max(counter.pruned_through, last)
        counter.save(update_fields=["pruned_through"])
    return deleted


# --- partner keys ----------------------------------------------------------------------


def api_key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_create(*, name: str, created_by=None, communes: Iterable = (),
                   rate_limit_per_minute: int = 600, cors_origins: str = "",
                   key: ApiKey | None = None) -> tuple[ApiKey, str]:
    """Create (or complete an unsaved) key; return it with its token, shown only once."""
    token = KEY_TOKEN_PREFIX + secrets.token_urlsafe(32)
    if key is None:
        key = ApiKey(name=name, rate_limit_per_minute=rate_limit_per_minute,
                     cors_origins=cors_origins)
    key.prefix = token[: len(KEY_TOKEN_PREFIX) + 8]
    key.secret_hash = api_key_hash(token)
    key.created_by = created_by
    key.save()
    if communes:
        key.communes.set(communes)
    return key, token


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def api_key_usage_record(*, key: ApiKey) -> None:
    """Count one request for today; touch last_used_at at most once a minute."""
    today = timezone.localdate()
    if not ApiKeyUsage.objects.filter(key=key, day=today).update(requests=F("requests") + 1):
        with transaction.atomic():
            usage, created = ApiKeyUsage.objects.select_for_update().get_or_create(
                key=key, day=today, defaults={"requests": 1})
            if not created:
                ApiKeyUsage.objects.filter(pk=usage.pk).update(requests=F("requests") + 1)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"

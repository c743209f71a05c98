"""`objects_create_many()`: a burst of new remote objects stored as pages in bulk.

The one-by-one path (`mirror.object_store`) costs about seventy statements per object
(treebeard's add_child, slug validation, one signal receiver after another). A burst
of Creates from followed communes is the common inbound load, so new objects are
inserted here with a constant number of statements per batch, leaving the same rows
behind as the one-by-one path:

- pages: tree positions after each section's last child, its row locked so that two
  workers never pick the same positions (cms/content/bulk.py does the INSERTs);
  `path`, `depth`, `numchild` and `url_path` as treebeard and Wagtail compute them;
- `ObjectVersion` rows, their actor the owner (one owner per object: a concurrent
  Create rolls this back);
- sharing: one explicit reference per following commune, decided by its acceptance
  rules (`selectors.acceptance_decide_many`, as `share_create()` does);
- the publishing pipeline for all the pages at once (`pages_publish`): the API read
  model (`PublishedItem`, with its final `shared_with`), one `created` change per item,
  the search outbox; then Wagtail's admin search index, in bulk.

What it skips, as `cms/content/demo/scale.py` does: revisions (the one-by-one path
creates live pages without one too) and Wagtail's reference index (a received page
references no local object). The caller only passes objects that no other message of
the batch touches, that have no `ObjectVersion` yet and whose actor is followed; it
runs this in a savepoint and falls back to the one-by-one path when it raises.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from cms.content.kinds import kind_named

from .mirror import (
    _fill,
    _unique_slug,
    actor_speaks_for_a_commune,
    content_model,
    kind_of_object,
    mirror_commune,
    version_is_stale,
)
from .wire import APObject

logger = logging.getLogger(__name__)


MAX_CHILDREN = 36**4 - 1  # positions a treebeard step of 4 base-36 characters can hold


@dataclass
class NewObject:
    """A Create to store: its object, its actor and the local communes following it."""

    key: object
    obj: APObject
    remote_actor: object
    followers: list
    edit: bool = False  # from an Update (mirror.version_is_stale)


def _build(item: NewObject, *, commune, locale, now):
    kind = kind_of_object(item.obj, item.remote_actor)
    model = content_model(kind)
    page = model(locale=locale)
    _fill(page, item.obj, kind=kind, remote_actor=item.remote_actor)
    page.slug = _unique_slug(slugify(page.title)[:60] or "objet", item.obj.id)
    page.draft_title = page.title
    page.live = True
    page.has_unpublished_changes = False
    page.first_published_at = page.last_published_at = now
    page.translation_key = uuid.uuid4()
    # The checks full_clean() would make on this page's own values (lengths, choices,
    # blocks), without its queries: relations and the tree are set here.
    page.clean_fields(exclude=[field.name for field in model._meta.concrete_fields
                               if field.is_relation or field.name in
                               ("path", "depth", "numchild", "url_path", "translation_key")])
    page.__dict__["commune"] = commune  # CommuneContentPage.commune, saves its query
    # No categories: held by modelcluster in memory, so the read model, JSON-LD and
    # the search index read an empty list instead of querying once each.
    page.categories = []
    return kind, page


def objects_create_many(items: list[NewObject]) -> tuple[dict[object, str], list[object]]:
    """Store new objects as live pages; return ({key: outcome}, keys left to the caller).

    Keys left over are objects this path does not take (a value the page refuses, a
    slug already used among its siblings): the caller applies them one by one, which
    records the real error. Run inside a transaction (a savepoint of the batch).
    """
    from federation.models import ObjectVersion

    if not items:
        return {}, []
    database = router.db_for_write(Page)
    locale = Locale.get_default()
    now = timezone.now()
    left: list[object] = []
    communes = {}
    built = []  # (item, kind, page, commune)
    for item in items:
        actor = item.remote_actor
        if actor.pk not in communes:
            communes[actor.pk] = mirror_commune(remote_actor=actor)
        commune = communes[actor.pk]
        try:
            kind, page = _build(item, commune=commune, locale=locale, now=now)
        except Exception:  # noqa: BLE001 - the one-by-one path records the real error
            left.append(item.key)
            continue
        built.append((item, kind, page, commune))
    if not built:
        return {}, left

    sections = _sections_locked(
        {(commune.pk, kind): commune for _item, kind, _page, commune in built})
    taken = _slugs_taken(sections, [(kind, page, commune) for _i, kind, page, commune in built])
    content_types = {}
    placed = []
    for item, kind, page, commune in built:
        section = sections[(commune.pk, kind)]
        if (section.page.pk, page.slug) in taken or section.next_position > MAX_CHILDREN:
            left.append(item.key)
            continue
        taken.add((section.page.pk, page.slug))
        model = type(page)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model).pk
        position = section.next_position
        section.next_position += 1
        parent = section.page
        page.path = Page._get_path(parent.path, parent.depth + 1, position)
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type_id = content_types[model]
        page.locale = locale
        placed.append((item, kind, page, commune))
    if not placed:
        return {}, left

    pages = [page for _item, _kind, page, _commune in placed]
    from cms.content.bulk import pages_insert

    pages_insert(pages, database=database)
    added = Counter(sections[(commune.pk, kind)].page.pk for _i, kind, _p, commune in placed)
    for section_id, count in added.items():
        Page.objects.using(database).filter(pk=section_id).update(numchild=F("numchild") + count)
    ObjectVersion.objects.bulk_create([
        ObjectVersion(ap_id=item.obj.id, actor_url=item.remote_actor.url, is_owner=True,
                      version=item.obj.version, page_id=page.pk)
        for item, _kind, page, _commune in placed])
    _shares_create(placed, now=now)
    _publish(placed)
    return {item.key: "processed" for item, *_rest in placed}, left


@dataclass
class _Section:
    page: Page
    next_position: int


def _sections_locked(wanted: dict[tuple[int, str], object]) -> dict[tuple[int, str], _Section]:
    """The section page of each (commune, kind), row-locked, with its next free position."""

    sections = {}
    for (commune_id, kind), commune in wanted.items():
        model = kind_named(kind).section_model()
        section = model.objects.child_of(commune).select_for_update().first()
        if section is None:
            raise LookupError(f"commune {commune_id} has no {kind} section")
        last = (Page.objects.filter(path__startswith=section.path, depth=section.depth + 1)
                .order_by("-path").values_list("path", flat=True).first())
        sections[(commune_id, kind)] = _Section(
            page=section,
            # treebeard's own base-36 codec, so positions read as it writes them.
            next_position=Page._str2int(last[-Page.steplen:]) + 1 if last else 1)
    return sections


def _slugs_taken(sections, built) -> set[tuple[int, str]]:
    wanted = defaultdict(set)
    for kind, page, commune in built:
        wanted[sections[(commune.pk, kind)].page].add(page.slug)
    taken = set()
    for section, slugs in wanted.items():
        taken.update((section.pk, slug) for slug in Page.objects.filter(
            path__startswith=section.path, depth=section.depth + 1,
            slug__in=slugs).values_list("slug", flat=True))
    return taken


def _shares_create(placed, *, now) -> None:
    """The explicit reference of each page in each following commune that lacks one,
    decided by its acceptance rules as `share_create()` does."""
    from federation.models import Acceptance, SharedItem, ShareState
    from federation.sharing import selectors

    existing = set(SharedItem.objects.filter(
        page_id__in=[page.pk for _item, _kind, page, _commune in placed]).values_list(
        "page_id", "receiver_id"))
    decisions = {}
    shares = []
    for item, kind, page, commune in placed:
        actor = item.remote_actor
        receivers = [receiver for receiver in item.followers if receiver.pk != commune.pk
                     and (page.pk, receiver.pk) not in existing]
        if not receivers:
            continue
        if (actor.pk, kind) not in decisions:
            decisions[(actor.pk, kind)] = selectors.acceptance_decide_many(
                receivers=item.followers, kind=kind, source_commune=commune,
                source_server=actor.domain)
        decided = decisions[(actor.pk, kind)]
        for receiver in receivers:
            existing.add((page.pk, receiver.pk))
            accepted = decided.get(receiver.pk) == Acceptance.ACCEPT \
                and actor_speaks_for_a_commune(actor)  # people's posts: always held
            shares.append(SharedItem(
                page_id=page.pk, translation_key=page.translation_key, kind=kind,
                origin_commune=commune, receiver=receiver,
                receiver_key=receiver.translation_key, source_server=actor.domain,
                by_rule=False, state=ShareState.ACCEPTED if accepted else ShareState.PENDING,
                decided_at=now if accepted else None))
    SharedItem.objects.bulk_create(shares)


def objects_update_many(items: list[NewObject]) -> tuple[dict[object, str], list[object]]:
    """Apply Updates (in order, several per object allowed) to stored objects; return
    ({key: outcome}, keys left to the caller: objects without a stored page).

    The rules of `mirror.object_store()`: only the owner may update, its tombstone
    wins, a version not newer than the stored one is ignored. The page is rewritten
    without a revision (the origin keeps the history), and its read-model row, search
    outbox row and references are brought up to date as publishing does.
    """
    from federation.models import ObjectVersion

    if not items:
        return {}, []
    rows = list(ObjectVersion.objects.select_for_update()
                .filter(ap_id__in={item.obj.id for item in items}))
    versions = {row.ap_id: row for row in rows if row.is_owner}  # the owners' rows
    tombstones = {(row.ap_id, row.actor_url) for row in rows if row.deleted_at is not None}
    page_ids = defaultdict(set)
    for item in items:
        version = versions.get(item.obj.id)
        kind = kind_of_object(item.obj, item.remote_actor)
        if version is not None and version.page_id and kind is not None:
            page_ids[content_model(kind)].add(version.page_id)
    pages = {}
    for model, ids in page_ids.items():
        pages.update({page.pk: page for page in model.objects.filter(pk__in=ids)
                      .select_related("locale").prefetch_related("categories")})
    outcomes: dict[object, str] = {}
    left: list[object] = []
    changed = {}  # page id -> (item, kind, page, commune)
    communes = {}
    now = timezone.now()
    for item in items:
        version = versions.get(item.obj.id)
        if version is not None and version.actor_url != item.remote_actor.url:
            outcomes[item.key] = "ignored: not owner"
            continue
        if (item.obj.id, item.remote_actor.url) in tombstones:
            outcomes[item.key] = "ignored: deleted"
            continue
        page = pages.get(version.page_id) if version is not None else None
        kind = kind_of_object(item.obj, item.remote_actor)
        if page is None or kind is None or not isinstance(page, content_model(kind)):
            left.append(item.key)
            continue
        if version_is_stale(item.obj, version.version, edit=item.edit):
            outcomes[item.key] = "ignored: stale"
            continue
        actor = item.remote_actor
        if actor.pk not in communes:
            communes[actor.pk] = mirror_commune(remote_actor=actor)
        _fill(page, item.obj, kind=kind, remote_actor=actor)
        page.draft_title = page.title
        page.last_published_at = now
        version.version = item.obj.version
        changed[page.pk] = (item, kind, page, communes[actor.pk])
        outcomes[item.key] = "processed"
    if left:
        # Objects left to the one-by-one path must not be half-applied here.
        left_ids = {item.obj.id for item in items if item.key in left}
        for item in items:
            if item.obj.id in left_ids and item.key not in left:
                outcomes.pop(item.key, None)
                left.append(item.key)
        changed = {pk: entry for pk, entry in changed.items() if entry[0].obj.id not in left_ids}
    if not changed:
        return outcomes, left
    placed = list(changed.values())
    by_model = defaultdict(list)
    for _item, _kind, page, _commune in placed:
        page.clean_fields(exclude=[field.name for field in type(page)._meta.concrete_fields
                                   if field.is_relation or field.name in _TREE_FIELDS])
        page.__dict__["commune"] = _commune  # CommuneContentPage.commune, saves its query
        by_model[type(page)].append(page)
    for model, model_pages in by_model.items():
        # One UPDATE per table and page: bulk_update()'s CASE per column and row costs
        # more to build than it saves at this size.
        for page_model in (Page, model):
            fields = [field for field in page_model._meta.local_concrete_fields
                      if not field.primary_key and field.name not in _TREE_FIELDS]
            for page in model_pages:
                page_model._base_manager.filter(pk=page.pk).update(
                    **{field.attname: getattr(page, field.attname) for field in fields})
    ObjectVersion.objects.bulk_update(
        [versions[item.obj.id] for item, _kind, _page, _commune in placed], ["version"])
    _shares_create(placed, now=now)
    _publish(placed)
    return outcomes, left


def objects_delete_many(items: list[NewObject]) -> dict[object, str]:
    """Apply Deletes (in order) as `mirror.object_delete()` does, the pages removed
    together by `mirror_delete.pages_delete()`.

    The tombstone is the actor's own, recorded even before any Create; only the actor
    that created the object may delete it.
    """
    from federation.models import ObjectVersion

    from .mirror_delete import pages_delete

    if not items:
        return {}
    ap_ids = {item.obj.id for item in items}
    rows = list(ObjectVersion.objects.select_for_update().filter(ap_id__in=ap_ids))
    owners = {row.ap_id: row.actor_url for row in rows if row.is_owner}
    versions = {(row.ap_id, row.actor_url): row for row in rows}
    outcomes: dict[object, str] = {}
    new, deleted, page_ids = [], [], []
    now = timezone.now()
    for item in items:
        actor_url = item.remote_actor.url
        if owners.get(item.obj.id, actor_url) != actor_url:
            outcomes[item.key] = "ignored: not owner"
            continue
        version = versions.get((item.obj.id, actor_url))
        if version is None:
            version = versions[(item.obj.id, actor_url)] = ObjectVersion(
                ap_id=item.obj.id, actor_url=actor_url)
            new.append(version)
        if version.deleted_at is not None:
            outcomes[item.key] = "ignored: already deleted"
            continue
        version.deleted_at = now
        if version.pk is not None:
            deleted.append(version)
        if version.page_id:
            page_ids.append(version.page_id)
        outcomes[item.key] = "processed"
    ObjectVersion.objects.bulk_create(new)
    ObjectVersion.objects.bulk_update(deleted, ["deleted_at"])
    pages_delete(list(Page.objects.filter(pk__in=page_ids).specific()))
    return outcomes


# Columns a rewrite of a received page never touches (treebeard and Wagtail own them).
_TREE_FIELDS = {"path", "depth", "numchild", "url_path", "slug", "content_type",
                "translation_key", "locale", "live", "first_published_at", "latest_revision",
                "live_revision", "latest_revision_created_at", "owner", "alias_of",
                "locked", "locked_at", "locked_by", "page_ptr"}


def _publish(placed) -> None:
    """The stored pages through the publishing pipeline, together (read model with the
    references just made, one change each, search): as the one-by-one path's receivers
    do, in a constant number of statements. Then Wagtail's admin search, in bulk."""
    from cms.publishing.outbox import outbox_append
    from cms.publishing.services import pages_publish
    from cms.readmodel.services import site_root_paths_pinned

    from .worker import ADMIN_INDEX

    pages = []
    for _item, _kind, page, commune in placed:
        page.__dict__["commune"] = commune  # CommuneContentPage.commune: the mirror
        pages.append(page)
    # Site root paths cannot change during the batch: read once, not three times a page.
    with site_root_paths_pinned(Site.get_site_root_paths()):
        pages_publish(pages=pages)
    outbox_append(category=ADMIN_INDEX, object_ids=[page.pk for page in pages])


def admin_search_index(rows) -> int:
    """Wagtail's admin search (modelsearch) for these pages: one bulk write per model
    (the "federation.admin_index" outbox handler; the page signals would write one by
    one)."""
    from modelsearch.backends import get_search_backends

    page_ids = [row.object_id for row in rows]
    by_model = defaultdict(list)
    for page in Page.objects.filter(pk__in=page_ids).specific().prefetch_related(None):
        by_model[type(page)].append(page)
    for backend in get_search_backends(with_auto_update=True):
        for model, model_pages in by_model.items():
            backend.add_bulk(model, model_pages)
    return sum(len(model_pages) for model_pages in by_model.values())

"""`pages_delete()`: received pages removed together, with what their delete receivers do.

Deleting one page (`Page.delete()`) logs it, then sends pre_delete and post_delete for
each of its rows (specific, Page, shares, read-model row, index entries…); Wagtail's
own pre_delete receiver unpublishes it first, which sends page_unpublished. About
fifteen statements per page, three search outbox rows and three queued tasks. For the
pages of a batch, Django's Collector finds what goes (cascades, SET_NULL) as for one
page; each receiver's work is done once for all the pages (`RECEIVERS`); then the
collected rows are deleted without a signal per row.

Only when every receiver these deletions would run is in `RECEIVERS`: any other one (a
new app, a test's), a page with children or aliases, and the pages go through
treebeard's queryset delete with every signal, as `Page.delete()` does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import F
from django.db.models.deletion import Collector
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Page
from wagtail.signals import page_unpublished, unpublished


def _name(receiver) -> str:
    return f"{receiver.__module__}.{receiver.__qualname__}"


def pages_delete(pages: list[Page]) -> None:
    """Delete these pages (specific instances), each logged as Wagtail's deletion is,
    withdrawn through the publishing pipeline at once (one `deleted` change each)."""
    if not pages:
        return
    _deletion_log(pages)
    _pipeline_withdraw(pages)
    by_model = defaultdict(list)
    for page in pages:
        by_model[type(page)].append(page)
    collectors = _collect(pages, by_model)
    receivers = _receivers(collectors, pages) if collectors else None
    if receivers is None or any(name not in RECEIVERS for name in receivers):
        with _reference_index_bulk(pages):
            for model, model_pages in by_model.items():
                # treebeard's own queryset delete, as Page.delete() runs it for one page.
                model.objects.filter(pk__in=[page.pk for page in model_pages]).delete()
        return
    _run(receivers, "before", pages)
    for collector in collectors:
        _delete_quietly(collector)
    _numchild_update(pages)
    _run(receivers, "after", pages)


def _deletion_log(pages) -> None:
    """Wagtail's `wagtail.delete` entry of each page, as `log()` writes it, in one INSERT
    (`log()` validates and saves each entry: three statements a page)."""
    from wagtail.log_actions import get_active_log_context, registry
    from wagtail.models import PageLogEntry

    if any(registry.get_log_model_for_instance(page) is not PageLogEntry for page in pages):
        for page in pages:
            log(instance=page, action="wagtail.delete", user=None, deleted=True)
        return
    context, now = get_active_log_context(), timezone.now()
    PageLogEntry.objects.bulk_create([PageLogEntry(
        content_type=ContentType.objects.get_for_model(page, for_concrete_model=False),
        label=PageLogEntry.objects.get_instance_title(page), action="wagtail.delete",
        timestamp=now, data={}, page_id=page.pk, user=context.user, uuid=context.uuid,
        deleted=True) for page in pages])


def _run(receivers: dict, when: str, pages) -> None:
    """Stand in for the receivers of this step; a function standing for several, once."""
    done = set()
    for name, receiver in receivers.items():
        step, what = RECEIVERS[name]
        if step != when or what is None or what in done:
            continue
        if what == "each":
            for page in pages:
                receiver(sender=type(page), instance=page)
        elif what == "once":
            receiver(sender=type(pages[0]), instance=pages[0])
        else:
            done.add(what)
            what(pages)


def _collect(pages, by_model) -> list[Collector]:
    """Django's collectors of the pages' rows, or [] when this path does not take them."""
    ids = [page.pk for page in pages]
    if any(page.numchild for page in pages) or Page.objects.filter(alias_of__in=ids).exists():
        return []
    collectors = []
    for model, model_pages in by_model.items():
        collector = Collector(using=router.db_for_write(model), origin=model_pages)
        collector.collect(model_pages)
        collectors.append(collector)
    return collectors


def _receivers(collectors, pages) -> dict:
    """Every receiver the deletions would run, by name."""
    from treebeard.mp_tree import nodes_deleted

    found = {}

    def add(signal, sender):
        sync, asynchronous = signal._live_receivers(sender)
        found.update({_name(receiver): receiver for receiver in [*sync, *asynchronous]})

    for collector in collectors:
        for model in collector.data:
            if not model._meta.auto_created:
                add(pre_delete, model)
                add(post_delete, model)
    add(nodes_deleted, Page)
    if "wagtail.signal_handlers.pre_delete_page_unpublish" in found:
        for model in {type(page) for page in pages if page.live}:
            add(page_unpublished, model)
            add(unpublished, model)
    return found


def _delete_quietly(collector: Collector) -> None:
    """`collector.delete()` without its pre_delete and post_delete per row: the rows it
    collected go by primary key, in its order, with its SET_NULLs (foreign keys are
    checked at commit)."""
    collector.sort()
    quiet = [model._base_manager.using(collector.using).filter(
        pk__in=[instance.pk for instance in instances])
        for model, instances in collector.data.items()]
    collector.data.clear()
    collector.fast_deletes.extend(quiet)
    collector.delete()


def _numchild_update(pages) -> None:
    """The parents' child counts, as treebeard's queryset delete keeps them (leaves only)."""
    lost = Counter(Page._get_basepath(page.path, page.depth - 1) for page in pages)
    for path, count in lost.items():
        Page.objects.filter(path=path).update(numchild=Greatest(F("numchild") - count, 0))


def _pipeline_withdraw(pages) -> None:
    """The publishing pipeline's pre_delete receiver, for all the pages at once: API rows
    and their `deleted` changes, and one outbox row per consumer and page."""
    from cms.publishing.services import pages_withdraw
    from cms.readmodel.models import ChangeAction

    pages_withdraw(pages=pages, action=ChangeAction.DELETED)


def _translations_disable(pages) -> None:
    """wagtail-localize's post_delete receiver, for all the pages."""
    from django.db.models import Q
    from wagtail_localize.models import Translation, handle_translation_on_delete

    if not getattr(settings, "WAGTAILLOCALIZE_DISABLE_ON_DELETE", False):
        for page in pages:
            handle_translation_on_delete(instance=page)
        return
    keys = defaultdict(list)
    for page in pages:
        keys[page.locale_id].append(page.translation_key)
    for locale_id, translation_keys in keys.items():
        Translation.objects.filter(source__object_id__in=translation_keys, enabled=True).filter(
            Q(source__locale_id=locale_id) | Q(target_locale_id=locale_id)).update(enabled=False)


def _admin_search_remove(pages) -> None:
    """modelsearch's post_delete receiver: a database backend's entries went with the
    pages (a generic relation the collector follows); any other backend is told."""
    from modelsearch.backends import get_search_backends
    from modelsearch.index import remove_object

    if all(type(backend).__module__.startswith("modelsearch.backends.database.")
           for backend in get_search_backends(with_auto_update=True)):
        return
    for page in pages:
        remove_object(page)


def _reference_index_remove(pages) -> None:
    """The pages' reference index rows, both directions, in two statements."""
    from wagtail.models import ReferenceIndex

    page_type = ContentType.objects.get_for_model(Page, for_concrete_model=False)
    ids = [str(page.pk) for page in pages]
    ReferenceIndex.objects.filter(base_content_type=page_type, object_id__in=ids).delete()
    ReferenceIndex.objects.filter(to_content_type=page_type, to_object_id__in=ids).delete()


@contextmanager
def _reference_index_bulk(pages):
    """`_reference_index_remove()` with Wagtail's post_delete receiver (four statements
    a page) quiet meanwhile. Only for leaves: a subtree's descendants are left to it."""
    from wagtail.signal_handlers import disable_reference_index_auto_update

    if any(page.numchild for page in pages):
        yield
        return
    _reference_index_remove(pages)
    with disable_reference_index_auto_update():
        yield


# What is done, for all the pages at once, instead of each receiver a deletion runs:
# (when: "before" or "after" the rows go, what: a function of the pages, "each" (the
# receiver itself for each page: no statement for a received page), "once" (the
# receiver itself, once: it does not depend on the page) or None (nothing left to do).
RECEIVERS = {
    # The pipeline (read-model rows, `deleted` changes, search, ActivityPub, page cache):
    # `_pipeline_withdraw()`, first.
    "cms.publishing.signals._on_deleting": ("before", None),
    # page_unpublished, after the above: the rows are already gone.
    "cms.publishing.signals._on_unpublished": ("before", None),
    # Sets `live` on an instance about to go (not saved) and sends page_unpublished,
    # whose receivers are in this table too. The approval dates it clears belong to
    # revisions deleted with the page; pages with aliases are not taken.
    "wagtail.signal_handlers.pre_delete_page_unpublish": ("before", None),
    "wagtail_localize.models.handle_translation_on_delete": ("after", _translations_disable),
    "modelsearch.signal_handlers.post_delete_signal_handler": ("after", _admin_search_remove),
    "wagtail.signal_handlers.remove_reference_index_on_delete": (
        "after", _reference_index_remove),
    "wagtail.signal_handlers.post_delete_page_log_deletion": ("after", "each"),  # a log line
}

"""Rebuild and reconcile: the long-running operations behind the management commands."""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from cms.readmodel.models import PublishedItem
from cms.readmodel.selectors import listed

from .backends import SearchBackend, get_search_backend
from .documents import communes_by_id, documents_for, items_for_search
from .services import (
    index_enqueue,
    outbox_drain,
    outbox_high_water,
    outbox_pending_page_ids,
    outbox_replay,
)

REBUILD_BATCH_SIZE = 2_000
WRITERS = 2


@dataclass
class RebuildReport:
    indexed: int = 0
    replayed_through: int = 0
    target: dict[str, str] = field(default_factory=dict)


def search_rebuild(*, backend: SearchBackend | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   batch_size: int = REBUILD_BATCH_SIZE) -> RebuildReport:
    """Fill fresh versioned indices from the read model, replay what changed while it
    ran, swap the aliases atomically, then replay once more into the live alias.

    Documents get the outbox high-water mark at the start as version; a page changed
    meanwhile has a newer outbox row, replayed with that (higher) version.
    """
    backend = backend or get_search_backend()
    snapshot = outbox_high_water()
    target = backend.rebuild_begin()
    communes = communes_by_id()
    total = PublishedItem.objects.count()
    done, last_pk = 0, 0
    # With an engine, reading and building the next batch overlaps with the engine
    # indexing the previous ones (where the time goes). The database backend writes
    # inline: its writes belong to this thread's connection and transaction.
    writers = WRITERS if backend.threaded_writes else 0
    executor = ThreadPoolExecutor(max_workers=writers) if writers else None
    pending: list[tuple[Future, int]] = []
    try:
        while True:
            items = list(items_for_search(PublishedItem.objects.filter(listed(), pk__gt=last_pk)
                                          .order_by("pk"))[:batch_size])
            if not items:
                break
            last_pk = items[-1].pk
            documents = documents_for(items=items, versions={}, communes=communes,
                                      default_version=snapshot)
            if executor is None:
                backend.index_documents(documents=documents, target=target)
                done += len(items)
            else:
                pending.append((executor.submit(backend.index_documents, documents=documents,
                                                target=target), len(items)))
            while pending and (len(pending) >= writers or not items):
                future, count = pending.pop(0)
                future.result()
                done += count
            if progress:
                progress(done, total)
        for future, count in pending:
            future.result()
            done += count
        if progress:
            progress(done, total)
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
    replayed = outbox_replay(after_id=snapshot, backend=backend, target=target)
    backend.rebuild_finish(target=target)
    # Rows drained into the old index between the replay and the swap.
    replayed = outbox_replay(after_id=replayed, backend=backend)
    backend.refresh()
    return RebuildReport(indexed=done, replayed_through=replayed, target=target)


@dataclass
class ReconcileReport:
    in_database: int = 0
    in_index: int = 0
    missing: list[int] = field(default_factory=list)      # live in DB, not in the index
    stale: list[int] = field(default_factory=list)        # live in the index, not in DB
    purged_tombstones: int = 0
    pending_outbox: int = 0
    repaired: bool = False


def search_reconcile(*, repair: bool = True, backend: SearchBackend | None = None,
                     purge_tombstones: bool = False) -> ReconcileReport:
    """Compare live pages with the index; with `repair`, reindex the differences
    through the outbox (versioned like any write) and drain it now."""
    backend = backend or get_search_backend()
    database = set(PublishedItem.objects.filter(listed()).values_list("pk", flat=True))
    indexed = backend.document_versions()
    live_in_index = {page_id for page_id, (_version, live) in indexed.items() if live}
    pending = outbox_pending_page_ids()
    report = ReconcileReport(in_database=len(database), in_index=len(live_in_index),
                             missing=sorted(database - live_in_index),
                             stale=sorted(live_in_index - database),
                             pending_outbox=len(pending))
    if repair and (report.missing or report.stale):
        index_enqueue(page_ids=[*report.missing, *report.stale])
        outbox_drain(force=True, backend=backend)
        backend.refresh()
        report.repaired = True
    if purge_tombstones:
        gone = [page_id for page_id, (_version, live) in indexed.items()
                if not live and page_id not in database and page_id not in pending]
        if gone:
            backend.purge(ids=gone)
        report.purged_tombstones = len(gone)
    return report

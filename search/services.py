"""Writes of search: the "search" category of the publishing outbox, and its handler.

The publishing pipeline (cms/publishing) appends a "search" row per changed page in
the publishing transaction; the worker loop hands the newest row of each page to
`index_rows`, which writes versioned documents in bulk. When the engine is down the
handler raises `RetryLater` and the rows wait, retried with the outbox's backoff.
The version of a write is the newest outbox id of its page, so an older drain never
overwrites a newer one (external versioning in the engine).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models import Max, QuerySet

from cms.publishing.models import OutboxMessage, OutboxState
from cms.publishing.outbox import RetryLater, backoff_seconds
from cms.publishing.outbox import outbox_drain as _drain
from cms.publishing.services import SEARCH, pages_reindex

from .backends import BackendUnavailable, SearchBackend, get_search_backend
from .documents import documents_for_pages

logger = logging.getLogger(__name__)

DRAIN_BATCH_SIZE = 500
__all__ = ["backoff_seconds", "index_enqueue", "index_rows", "outbox_drain"]

_backend_override: list[SearchBackend] = []


@contextmanager
def _using(backend: SearchBackend | None) -> Iterator[None]:
    if backend is not None:
        _backend_override.append(backend)
    try:
        yield
    finally:
        if backend is not None:
            _backend_override.pop()


def _rows() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(category=SEARCH)


def index_rows(rows: list[OutboxMessage]) -> None:
    """The outbox handler: index the newest version of each page (or its tombstone)."""
    backend = _backend_override[-1] if _backend_override else get_search_backend()
    versions = {row.object_id: row.pk for row in rows}
    locales = {row.object_id: row.payload.get("locale", "") for row in rows
               if row.payload.get("locale")}
    documents = documents_for_pages(page_versions=versions, locales=locales)
    try:
        backend.index_documents(documents=documents)
    except BackendUnavailable as error:
        raise RetryLater(f"search index unavailable: {error}") from error


def index_enqueue(*, page_ids: list[int], locales: dict[int, str] | None = None) -> None:
    """Ask for these pages to be reindexed (in the current transaction)."""
    pages_reindex(page_ids=page_ids, locales=locales)


@dataclass
class DrainReport:
    indexed: int = 0
    failed: int = 0
    remaining: int = 0


def outbox_drain(*, force: bool = False, max_batches: int = 1000,
                 backend: SearchBackend | None = None) -> DrainReport:
    """Index due "search" rows now; `force` ignores the backoff (tests, CLI)."""
    with _using(backend):
        report = _drain(categories=[SEARCH], force=force, max_batches=max_batches)
    return DrainReport(indexed=report.done, failed=report.failed,
                       remaining=outbox_pending())


def outbox_replay(*, after_id: int, backend: SearchBackend,
                  target: dict[str, str] | None = None) -> int:
    """Reindex every page with a "search" row above `after_id` (done or not) into
    `target`; returns the highest id replayed (search_rebuild)."""
    rows = list(_rows().filter(id__gt=after_id).order_by()
                .values("object_id").annotate(v=Max("id")).values_list("object_id", "v"))
    if not rows:
        return after_id
    versions = dict(rows)
    for start in range(0, len(rows), DRAIN_BATCH_SIZE):
        chunk = dict(rows[start:start + DRAIN_BATCH_SIZE])
        backend.index_documents(documents=documents_for_pages(page_versions=chunk),
                                target=target)
    return max(versions.values())


def outbox_high_water() -> int:
    """The newest outbox id: the version of documents written by a rebuild."""
    return OutboxMessage.objects.aggregate(top=Max("id"))["top"] or 0


def outbox_pending() -> int:
    return _rows().filter(state=OutboxState.PENDING).count()


def outbox_pending_page_ids() -> set[int]:
    return set(_rows().filter(state=OutboxState.PENDING).values_list("object_id", flat=True))

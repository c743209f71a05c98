"""Writes of search: the indexing outbox and its drain.

`index_enqueue` records outbox rows in the caller's transaction (publish, unpublish,
delete, move, translate, federation sharing changes): a rollback records nothing, a
commit is never lost. `outbox_drain` (a background task) turns due rows into
versioned bulk writes; when the engine is down the rows stay, retried with backoff.
The version of a write is the newest outbox id of its page, so an older drain
never overwrites a newer one (external versioning in the engine).
"""

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page

from .backends import BackendUnavailable, SearchBackend, get_search_backend
from .documents import documents_for_pages
from .models import IndexOutbox

logger = logging.getLogger(__name__)

DRAIN_BATCH_SIZE = 500
MAX_BACKOFF_SECONDS = 300
DONE_RETENTION = dt.timedelta(days=1)


def backoff_seconds(attempts: int) -> int:
    """2, 4, 8, … seconds, at most five minutes: retried forever, never dropped."""
    return int(min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS))


def index_enqueue(*, page_ids: list[int], locales: dict[int, str] | None = None) -> None:
    """Ask for these pages to be reindexed (in the current transaction)."""
    if not page_ids:
        return
    IndexOutbox.objects.bulk_create([
        IndexOutbox(page_id=page_id, locale=(locales or {}).get(page_id, ""))
        for page_id in dict.fromkeys(page_ids)])
    transaction.on_commit(_drain_soon)


def index_enqueue_page(*, page: Page, subtree: bool = False) -> None:
    pages = Page.objects.descendant_of(page, inclusive=True) if subtree else [page]
    locales = {p.pk: p.locale.language_code for p in (
        pages.select_related("locale") if subtree else pages)}
    index_enqueue(page_ids=list(locales), locales=locales)


def _drain_soon() -> None:
    from .tasks import index_drain

    try:
        index_drain.enqueue()
    except Exception:
        # The periodic drain (run_worker) picks the rows up: a queue outage only delays.
        logger.exception("could not enqueue the search index drain")


@dataclass
class DrainReport:
    indexed: int = 0
    failed: int = 0
    remaining: int = 0


def _drain_batch(*, backend: SearchBackend, now: dt.datetime, force: bool) -> DrainReport:
    with transaction.atomic():
        due = (IndexOutbox.objects.select_for_update(skip_locked=True)
               .filter(done_at__isnull=True).order_by("id"))
        if not force:
            due = due.exclude(next_attempt_at__gt=now)
        rows = list(due[:DRAIN_BATCH_SIZE])
        if not rows:
            return DrainReport()
        # Every pending row of these pages (older rows drained with the newest).
        page_ids = {row.page_id for row in rows}
        versions = dict(IndexOutbox.objects.filter(page_id__in=page_ids).order_by()
                        .values("page_id")
                        .annotate(v=Max("id")).values_list("page_id", "v"))
        locales = {row.page_id: row.locale for row in rows if row.locale}
        documents = documents_for_pages(page_versions=versions, locales=locales)
        try:
            backend.index_documents(documents=documents)
        except BackendUnavailable as error:
            for row in rows:
                row.attempts += 1
                row.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(row.attempts))
                row.last_error = str(error)[:2000]
            IndexOutbox.objects.bulk_update(rows, ["attempts", "next_attempt_at", "last_error"])
            logger.warning("search index unavailable, %d rows retried later: %s",
                           len(rows), error)
            return DrainReport(failed=len(rows))
        IndexOutbox.objects.filter(page_id__in=page_ids, done_at__isnull=True,
                                   id__lte=max(versions.values())).update(done_at=now)
        return DrainReport(indexed=len(documents))


def outbox_drain(*, force: bool = False, max_batches: int = 1000,
                 backend: SearchBackend | None = None) -> DrainReport:
    """Index due outbox rows in batches; `force` ignores the backoff (tests, CLI)."""
    backend = backend or get_search_backend()
    total = DrainReport()
    for _batch in range(max_batches):
        report = _drain_batch(backend=backend, now=timezone.now(), force=force)
        total.indexed += report.indexed
        total.failed += report.failed
        if report.failed or not report.indexed:
            break
    total.remaining = IndexOutbox.objects.filter(done_at__isnull=True).count()
    IndexOutbox.objects.filter(done_at__lt=timezone.now() - DONE_RETENTION).delete()
    return total


def outbox_replay(*, after_id: int, backend: SearchBackend,
                  target: dict[str, str] | None = None) -> int:
    """Reindex every page with an outbox row above `after_id` (done or not) into
    `target`; returns the highest id replayed (search_rebuild)."""
    rows = list(IndexOutbox.objects.filter(id__gt=after_id).order_by()
                .values("page_id").annotate(v=Max("id")).values_list("page_id", "v"))
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
    return IndexOutbox.objects.aggregate(top=Max("id"))["top"] or 0


def outbox_pending() -> int:
    return IndexOutbox.objects.filter(done_at__isnull=True).count()


def index_drain_enqueue(*, backend_name: str = "default") -> None:
    from .tasks import index_drain

    index_drain.using(backend=backend_name).enqueue()


def index_drain_periodically(*, backend_name: str, stop: threading.Event) -> None:
    """run_worker's timer: enqueue a drain every CLOCHER_SEARCH_DRAIN_INTERVAL seconds so
    rows left pending by an outage are retried (their own backoff still applies)."""
    from django.conf import settings
    from django.db import close_old_connections

    interval = getattr(settings, "CLOCHER_SEARCH_DRAIN_INTERVAL", 5)
    while not stop.wait(interval):
        try:
            if IndexOutbox.objects.filter(done_at__isnull=True).exists():
                index_drain_enqueue(backend_name=backend_name)
        except Exception:
            logger.exception("could not enqueue the search index drain")
        finally:
            close_old_connections()

"""Background work of search."""

from django_tasks import task

from . import services


@task(priority=70)
def index_drain() -> dict[str, int]:
    """Drain the indexing outbox (enqueued after each commit and periodically)."""
    report = services.outbox_drain()
    return {"indexed": report.indexed, "failed": report.failed, "remaining": report.remaining}

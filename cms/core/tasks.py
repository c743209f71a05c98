"""Background tasks that are not about one app's content."""

from django.core.management import call_command
from django_tasks import task


# Ahead of bulk work (search indexing after an import): a page due at 9:00 goes live
# at 9:00 even when thousands of tasks are waiting.
@task(priority=50)
def publish_scheduled_pages() -> None:
    """Publish revisions whose go_live_at has passed and unpublish expired pages.

    Wagtail only applies go_live_at / expire_at when `publish_scheduled` runs;
    `manage.py run_worker` enqueues this task periodically so no cron is needed.
    """
    call_command("publish_scheduled")

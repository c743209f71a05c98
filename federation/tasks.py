"""Background work of federation: fan-out, deliveries, inbox (django-tasks)."""

from django_tasks import task

from .activitypub import worker


@task()
def federation_drain() -> dict[str, int]:
    """Fan out new activities, send due deliveries, apply due inbox messages."""
    return worker.drain()


@task()
def mirror_admin_index(page_ids: list[int]) -> int:
    """Index pages received in a batch in Wagtail's admin search, in bulk (the page
    signals enqueue one task per page for the same thing)."""
    from .activitypub.mirror_bulk import admin_search_index

    return admin_search_index(page_ids=page_ids)

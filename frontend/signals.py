"""Tell contributors the fate of their proposal: published or declined."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, workflow_rejected

from . import pagecache, services


def _on_content_change(sender, **kwargs):
    pagecache.invalidate()


def _on_page_published(sender, instance, **kwargs):
    services.contribution_published(page_id=instance.pk)


def _on_workflow_rejected(sender, instance, **kwargs):
    try:
        page_id = int(instance.object_id)
    except (TypeError, ValueError):
        return
    services.contribution_declined(page_id=page_id)


def connect() -> None:
    page_published.connect(_on_content_change, dispatch_uid="frontend-pagecache-published")
    page_unpublished.connect(_on_content_change, dispatch_uid="frontend-pagecache-unpublished")
    post_delete.connect(_on_content_change, sender=Page, dispatch_uid="frontend-pagecache-delete")
    page_published.connect(_on_page_published, dispatch_uid="frontend-contribution-published")
    workflow_rejected.connect(_on_workflow_rejected,
                              dispatch_uid="frontend-contribution-declined")

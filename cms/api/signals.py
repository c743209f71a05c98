"""Keep the read model and the change feed in step with publishing.

Every receiver runs inside the transaction of the write that fired it: a rollback
leaves no row behind, a commit is never missed. No network here.
"""

from django.db.models.signals import post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services
from .models import ChangeAction


def _on_published(sender, instance, **kwargs) -> None:
    services.item_sync(page=instance)


def _on_unpublished(sender, instance, **kwargs) -> None:
    services.item_remove(page=instance)


def _on_created(sender, instance, created, raw=False, **kwargs) -> None:
    # Pages created live in code (imports, factories: `add_child` without a revision)
    # never fire page_published; admin-created pages start as drafts and are skipped.
    if created and not raw and instance.live:
        services.item_sync(page=instance)


def _on_moved(sender, instance, **kwargs) -> None:
    services.items_sync_subtree(page=instance)


def _on_page_deleting(sender, instance, **kwargs) -> None:
    # Before Wagtail's own pre_delete receiver unpublishes the page (this app is
    # listed, hence connected, first): the feed gets one "deleted" tombstone rather
    # than "unpublished". Runs for every page of a deleted subtree.
    if isinstance(instance, Page):
        services.item_remove(page=instance, action=ChangeAction.DELETED)


def connect() -> None:
    page_published.connect(_on_published, dispatch_uid="clocher_api_published")
    page_unpublished.connect(_on_unpublished, dispatch_uid="clocher_api_unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="clocher_api_moved")
    pre_delete.connect(_on_page_deleting, dispatch_uid="clocher_api_page_deleting")
    for model in services.CONTENT_MODELS:
        post_save.connect(_on_created, sender=model, dispatch_uid=f"clocher_api_created_{model}")

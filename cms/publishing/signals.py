"""The one set of page receivers: each hands the change to the pipeline (services.py).

No other app listens to page publishing; consumers register outbox categories or
observers instead, so nothing depends on the order of INSTALLED_APPS. A deletion
records one "deleted" tombstone whichever of Wagtail's pre_delete unpublish and this
receiver runs first (read model: `items_remove`).
"""

from django.db.models.signals import post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.content.kinds import content_models
from cms.readmodel.models import ChangeAction

from . import services


def _on_published(sender, instance, **kwargs) -> None:
    services.pages_publish(pages=[instance])


def _on_unpublished(sender, instance, **kwargs) -> None:
    services.pages_withdraw(pages=[instance], action=ChangeAction.UNPUBLISHED)


def _on_created(sender, instance, created, raw=False, **kwargs) -> None:
    # Pages created live in code (imports, factories: `add_child` without a revision)
    # never fire page_published; admin-created pages start as drafts.
    if created and not raw and instance.live:
        services.pages_publish(pages=[instance])


def _on_moved(sender, instance, **kwargs) -> None:
    services.pages_moved(page=instance)


def _on_deleting(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        services.pages_withdraw(pages=[instance], action=ChangeAction.DELETED)


def connect() -> None:
    page_published.connect(_on_published, dispatch_uid="clocher_publishing_published")
    page_unpublished.connect(_on_unpublished, dispatch_uid="clocher_publishing_unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="clocher_publishing_moved")
    # sender=Page: Django sends pre_delete for the Page row of every deleted page (the
    # parent of each specific model), and other models keep their fast deletes.
    pre_delete.connect(_on_deleting, sender=Page, dispatch_uid="clocher_publishing_deleting")
    for model in content_models():
        post_save.connect(_on_created, sender=model,
                          dispatch_uid=f"clocher_publishing_created_{model.__name__}")

"""Compute a page's receivers when it is published, in the publishing transaction.

Connected after the API's receivers (cms.api comes first in INSTALLED_APPS), so the
read-model row exists when the share refreshes its `shared_with`.
"""

from django.db.models.signals import post_save
from wagtail.signals import page_published, post_page_move

from . import services


def _on_published(sender, instance, **kwargs) -> None:
    services.shares_sync(page=instance)


def _on_created(sender, instance, created, raw=False, **kwargs) -> None:
    # Pages created live in code (imports, factories) never fire page_published.
    if created and not raw and instance.live:
        services.shares_sync(page=instance)


def _on_moved(sender, instance, **kwargs) -> None:
    # A page moved to another commune: its old commune's references no longer hold.
    from wagtail.models import Page

    for page in Page.objects.descendant_of(instance, inclusive=True).live().specific():
        services.shares_sync(page=page)


def connect() -> None:
    from cms.api.payloads import KIND_OF_MODEL

    page_published.connect(_on_published, dispatch_uid="clocher_sharing_published")
    post_page_move.connect(_on_moved, dispatch_uid="clocher_sharing_moved")
    for model in KIND_OF_MODEL:
        post_save.connect(_on_created, sender=model,
                          dispatch_uid=f"clocher_sharing_created_{model.__name__}")

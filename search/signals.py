"""Record an indexing outbox row in the transaction of every content change.

No network here: the drain (tasks.index_drain) talks to the engine after commit.
Translations are pages published like any other (wagtail-localize), so
page_published covers them.
"""

from django.db.models.signals import post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.api.services import CONTENT_MODELS

from . import services


def _is_content(page) -> bool:
    return isinstance(page, CONTENT_MODELS) or page.specific_class in CONTENT_MODELS


def _on_published(sender, instance, **kwargs) -> None:
    if _is_content(instance):
        services.index_enqueue_page(page=instance)


def _on_created(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw and instance.live:
        services.index_enqueue_page(page=instance)


def _on_moved(sender, instance, **kwargs) -> None:
    services.index_enqueue_page(page=instance, subtree=True)


def _on_deleting(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page) and _is_content(instance):
        services.index_enqueue_page(page=instance)


def _on_labels_changed(sender, instance, **kwargs) -> None:
    from .query import communes_cache_clear

    communes_cache_clear()


def connect() -> None:
    from cms.communes.models import CommuneHomePage
    from cms.content.models import Category

    # query.py keeps communes, neighbourhoods and category labels in memory.
    post_save.connect(_on_labels_changed, sender=CommuneHomePage,
                      dispatch_uid="clocher_search_commune_saved")
    post_save.connect(_on_labels_changed, sender=Category,
                      dispatch_uid="clocher_search_category_saved")
    page_published.connect(_on_published, dispatch_uid="clocher_search_published")
    page_unpublished.connect(_on_published, dispatch_uid="clocher_search_unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="clocher_search_moved")
    pre_delete.connect(_on_deleting, dispatch_uid="clocher_search_deleting")
    for model in CONTENT_MODELS:
        post_save.connect(_on_created, sender=model, dispatch_uid=f"clocher_search_created_{model}")

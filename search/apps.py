from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "clocher_search"
    verbose_name = "Recherche"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cms.communes.models import CommuneHomePage
        from cms.content.models import Category
        from cms.publishing.outbox import Consumer, consumer_register
        from cms.publishing.services import SEARCH

        from .services import DRAIN_BATCH_SIZE, index_rows

        consumer_register(Consumer(category=SEARCH, handle=index_rows,
                                   batch_size=DRAIN_BATCH_SIZE,
                                   description="search documents of changed pages"))
        # search.query keeps communes, neighbourhoods and category labels in memory.
        for model in (CommuneHomePage, Category):
            post_save.connect(_labels_changed, sender=model,
                              dispatch_uid=f"clocher_search_labels_{model.__name__}")


def _labels_changed(sender, instance, **kwargs) -> None:
    from .query import communes_cache_clear

    communes_cache_clear()

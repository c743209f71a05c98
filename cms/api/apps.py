from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cms.api"
    label = "partner_api"
    verbose_name = "API publique"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms.publishing.categories import OPEN_DATA
        from cms.publishing.outbox import Consumer, consumer_register

        from .opendata.build import opendata_page_wanted, opendata_rows_handle

        # The open-data files, rebuilt by the worker when a commune's content changes.
        consumer_register(Consumer(category=OPEN_DATA, handle=opendata_rows_handle,
                                   wants=opendata_page_wanted,
                                   description="rebuild the communes' open-data files"))

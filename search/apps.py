from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "clocher_search"
    verbose_name = "Recherche"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals

        signals.connect()

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "clocher_search"
    verbose_name = "Recherche"

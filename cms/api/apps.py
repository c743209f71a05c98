from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cms.api"
    label = "clocher_api"
    verbose_name = "API publique"

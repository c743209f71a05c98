from django.apps import AppConfig


class CommunesConfig(AppConfig):
    name = "cms.communes"
    label = "communes"
    verbose_name = "Communes"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cms.api"
    label = "partner_api"
    verbose_name = "API publique"
    default_auto_field = "django.db.models.BigAutoField"

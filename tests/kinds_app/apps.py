from django.apps import AppConfig


class KindsAppConfig(AppConfig):
    name = "tests.kinds_app"
    label = "kinds_app"
    default_auto_field = "django.db.models.BigAutoField"

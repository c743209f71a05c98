from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = "Site des habitants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .signals import connect

        connect()

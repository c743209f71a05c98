from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = "Clocher"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import (
            checks,  # noqa: F401 (registers the deployment checks)
            locales,  # noqa: F401 (forgets the cached default locale when one changes)
            postgres,  # noqa: F401 (registers the array dumper on new connections)
        )
        from .converters import IdConverter

        # Before any URLconf is loaded: `<id:…>` in the routes of every app.
        register_converter(IdConverter, "id")

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = "Clocher"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from django.urls import register_converter
        from wagtail.images import get_image_model

        from . import (
            checks,  # noqa: F401 (registers the deployment checks)
            locales,  # noqa: F401 (forgets the cached default locale when one changes)
            postgres,  # noqa: F401 (registers the array dumper on new connections)
        )
        from .converters import IdConverter
        from .images import image_pre_save, pillow_limits_apply

        # Before any URLconf is loaded: `<id:…>` in the routes of every app.
        register_converter(IdConverter, "id")
        # Every image path (admin, proposals, imports): cms/core/images.py.
        pillow_limits_apply()
        pre_save.connect(image_pre_save, sender=get_image_model(),
                         dispatch_uid="clocher_image_pixels")

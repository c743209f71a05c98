from django.apps import AppConfig


class CommunesConfig(AppConfig):
    name = "cms.communes"
    label = "communes"
    verbose_name = "Communes"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from .models import CommuneHomePage
        from .translation import commune_home_saved

        post_save.connect(commune_home_saved, sender=CommuneHomePage,
                          dispatch_uid="clocher_commune_translation_roles")

from django.apps import AppConfig


class ReadModelConfig(AppConfig):
    """The read model: published items, their audiences, the change feed (and the
    partner API's keys). Its label is the one these tables were created under, when
    they belonged to the API app: tables and migration history stay as they are
    (docs/adr/0001-read-model.md)."""

    name = "cms.readmodel"
    label = "clocher_api"
    verbose_name = "Modèle de lecture"
    default_auto_field = "django.db.models.BigAutoField"

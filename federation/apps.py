from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Fédération"

    def ready(self) -> None:
        from .sharing import signals as sharing_signals

        sharing_signals.connect()
        from .activitypub import outbox as activitypub_outbox
        from .activitypub import wagtail_hooks as activitypub_hooks  # noqa: F401

        activitypub_outbox.connect()

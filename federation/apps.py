from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Fédération"

    def ready(self) -> None:
        from django.conf import settings

        from cms.publishing.jobs import Job, job_register
        from cms.publishing.outbox import Consumer, consumer_register
        from cms.publishing.services import ACTIVITYPUB
        from cms.readmodel.audience import audience_provider_register

        from .activitypub import (
            wagtail_hooks,  # noqa: F401 (admin menu and views)
            worker,
        )
        from .activitypub.mirror_bulk import admin_search_index
        from .activitypub.outbox import page_federates, pages_federate
        from .activitypub.retention import federation_sweep
        from .sharing.plans import sharing_generation_receivers_connect
        from .sharing.services import REEVALUATE, SharingAudience, shares_reevaluate_rows

        audience_provider_register(SharingAudience())
        sharing_generation_receivers_connect()
        consumer_register(Consumer(category=ACTIVITYPUB, handle=pages_federate,
                                   wants=page_federates,
                                   description="Create/Update/Delete of published pages"))
        consumer_register(Consumer(category=worker.FEDERATION,
                                   handle=lambda rows: worker.drain(),
                                   description="inbox, fan-out and deliveries"))
        consumer_register(Consumer(category=REEVALUATE, handle=shares_reevaluate_rows,
                                   batch_size=10,
                                   description="re-apply a commune's sharing rules"))
        consumer_register(Consumer(category=worker.ADMIN_INDEX, handle=admin_search_index,
                                   max_attempts=5,
                                   description="Wagtail's admin search of received pages"))
        job_register(Job(name="federation.drain", run=worker.drain,
                         every=lambda: settings.FEDERATION_DRAIN_INTERVAL))
        job_register(Job(name="federation.retention", run=federation_sweep, every=3600))

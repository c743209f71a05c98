import datetime as dt

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "notify"
    label = "notify"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from cms.publishing.jobs import Job, job_register
        from cms.publishing.outbox import Consumer, consumer_register
        from cms.publishing.services import Observer, observer_register

        from .delivery import deliveries_send, deliveries_sweep
        from .digest import digests_send
        from .fanout import (
            NOTIFY,
            items_audience_changed,
            pages_published,
            pages_removed,
            rows_fan_out,
        )
        from .services import CONFIRM, confirmations_send, unconfirmed_sweep

        # In the publishing transaction: one `notify` row per published item of a kind
        # residents subscribe to (and per item a neighbour accepts later); a withdrawn
        # item's waiting deliveries are cancelled.
        observer_register(Observer(published=pages_published, removed=pages_removed,
                                   audience_changed=items_audience_changed))
        consumer_register(Consumer(
            category=NOTIFY, handle=rows_fan_out, batch_size=50,
            done_retention=dt.timedelta(days=1),
            description="residents' notifications: who is told about a published item"))
        # Sign-ups' confirmation e-mails and SMS codes: written with the sign-up, sent
        # by the worker (no request waits for a mail server or an SMS provider).
        consumer_register(Consumer(
            category=CONFIRM, handle=confirmations_send, batch_size=100, coalesce=False,
            max_attempts=8, done_retention=dt.timedelta(days=1),
            description="residents' sign-ups: confirmation e-mails and SMS codes"))
        job_register(Job(name="notify.deliver",
                         every=lambda: settings.NOTIFY_DELIVER_INTERVAL,
                         run=deliveries_send))
        job_register(Job(name="notify.digests", every=3600, run=digests_send))
        job_register(Job(name="notify.retention", every=3600,
                         run=lambda: (deliveries_sweep(), unconfirmed_sweep())))

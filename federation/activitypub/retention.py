"""Retention of ActivityPub state: the worker's "federation.retention" job.

What is kept, per state (settings in cms/settings/base.py, block "Federation"):
- inbox messages processed or ignored: `FEDERATION_INBOX_RETENTION_DAYS` (30). Each is
  also the replay record of its activity id: a peer re-sending the same activity within
  that window is ignored; after it, object versions still refuse stale updates.
- inbox messages failed: kept until an operator retries or deletes them;
- deliveries delivered or cancelled: `FEDERATION_DELIVERY_RETENTION_DAYS` (7);
  dead ones: `FEDERATION_DEAD_RETENTION_DAYS` (30), for an operator to look at;
- outgoing activities: `FEDERATION_INBOX_RETENTION_DAYS`, once fanned out and with no
  delivery left, except the newest activity of each object (it decides whether the
  next publish is a Create or an Update, and whether an unpublish sends a Delete).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from federation.models import (
    Delivery,
    DeliveryState,
    InboxMessage,
    InboxState,
    OutboxActivity,
)


def federation_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention; return how many rows went, by table."""
    now = now or timezone.now()

    def before(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    inbox, _by_model = InboxMessage.objects.filter(
        state__in=[InboxState.PROCESSED, InboxState.IGNORED],
        state_changed_at__lt=before(settings.FEDERATION_INBOX_RETENTION_DAYS)).delete()
    finished, _by_model = Delivery.objects.filter(
        state__in=[DeliveryState.DELIVERED, DeliveryState.CANCELLED],
        state_changed_at__lt=before(settings.FEDERATION_DELIVERY_RETENTION_DAYS)).delete()
    dead, _by_model = Delivery.objects.filter(
        state=DeliveryState.DEAD,
        state_changed_at__lt=before(settings.FEDERATION_DEAD_RETENTION_DAYS)).delete()
    newer = OutboxActivity.objects.filter(object_id=OuterRef("object_id"), pk__gt=OuterRef("pk"))
    pending = Delivery.objects.filter(activity=OuterRef("pk"))
    old = OutboxActivity.objects.filter(
        fanned_out=True, created_at__lt=before(settings.FEDERATION_INBOX_RETENTION_DAYS),
    ).exclude(Exists(pending))
    activities, _by_model = (old.filter(object_id="") | old.filter(Exists(newer))).delete()
    return {"inbox": inbox, "deliveries": finished + dead, "activities": activities}

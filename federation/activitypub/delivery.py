"""Delivery state machine: claim with row locks, sign per attempt, back off, dead-letter."""

from __future__ import annotations

import datetime as dt
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from cms.publishing.outbox import backoff_seconds as outbox_backoff

from .http import Policy, ResponseTooLargeError, SafeClient, UnsafeURLError
from .keys import actor_private_key
from .outbound import actor_url
from .servers import activity_for
from .signatures import sign_request

logger = logging.getLogger(__name__)

CLAIM_BATCH = 200
LEASE_SECONDS = 120
PERMANENT_STATUSES = {400, 401, 403, 404, 405, 422}


@lru_cache(maxsize=1)
def _client_for(allowed: tuple[str, ...], timeout: float, max_bytes: int) -> SafeClient:
    return SafeClient(Policy(allowed_private_peers=frozenset(a.lower() for a in allowed),
                             timeout=timeout, max_bytes=max_bytes))


def client() -> SafeClient:
    """The process-wide outgoing client (keeps connections alive between deliveries)."""
    return _client_for(tuple(settings.FEDERATION_ALLOWED_PRIVATE_PEERS),
                       settings.FEDERATION_HTTP_TIMEOUT, settings.FEDERATION_FETCH_MAX_BYTES)


def backoff_seconds(attempts: int, *, retry_after: float | None = None) -> float:
    """The outbox's retry policy with the federation settings, jittered."""
    return outbox_backoff(attempts, retry_after=retry_after,
                          base=settings.FEDERATION_RETRY_BASE_SECONDS,
                          maximum=settings.FEDERATION_RETRY_MAX_SECONDS, jitter=True)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def deliveries_claim(*, limit: int = CLAIM_BATCH) -> list:
    """Lease due deliveries so no other worker sends them (row locks on PostgreSQL)."""
    from federation.models import Delivery, DeliveryState

    now = timezone.now()
    with transaction.atomic():
        due = Delivery.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
        # SQLite serialises writers (BEGIN IMMEDIATE): the lease below is enough there.
        Delivery.objects.filter(pk__in=ids).update(
            next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS))
    return list(Delivery.objects.filter(pk__in=ids).select_related("activity",
                                                                   "activity__commune"))


def _circuit_open_until(host: str) -> dt.datetime | None:
    from federation.models import HostHealth

    health = HostHealth.objects.filter(host=host).first()
    if health and health.open_until and health.open_until > timezone.now():
        return health.open_until
    return None


def _record_host(host: str, *, ok: bool) -> None:
    from federation.models import HostHealth

    if ok:
        HostHealth.objects.filter(host=host).exclude(consecutive_failures=0).update(
            consecutive_failures=0, open_until=None)
        return
    health, _created = HostHealth.objects.get_or_create(host=host)
    HostHealth.objects.filter(pk=health.pk).update(
        consecutive_failures=F("consecutive_failures") + 1)
    health.refresh_from_db()
    if health.consecutive_failures >= settings.FEDERATION_CIRCUIT_FAILURES:
        health.open_until = timezone.now() + dt.timedelta(
            seconds=settings.FEDERATION_CIRCUIT_COOLDOWN_SECONDS)
        health.save(update_fields=["open_until"])


@dataclass
class Attempt:
    """The network half of one delivery attempt (no database access: runs in a thread)."""

    status: int | None = None
    retry_after: float | None = None
    error: str = ""
    refused: bool = False


def _send(delivery, *, private_key, key_id: str) -> Attempt:
    body = json.dumps(activity_for(delivery.activity.activity, inbox=delivery.inbox)).encode()

    def sign(method, url, headers, payload):
        # A fresh Date and signature for every attempt and every redirect hop.
        return sign_request(method=method, url=url, headers=headers, body=payload,
                            key_id=key_id, private_key=private_key)

    try:
        response = client().post(delivery.inbox, body=body, sign=sign, headers={
            "Content-Type": "application/activity+json", "Accept": "application/activity+json"})
    except (UnsafeURLError, ResponseTooLargeError) as exc:
        return Attempt(error=f"refused: {exc}", refused=True)
    except Exception as exc:  # noqa: BLE001 - network errors of every kind are retried
        return Attempt(error=f"{type(exc).__name__}: {exc}")
    return Attempt(status=response.status,
                   retry_after=_retry_after(response.headers.get("Retry-After")))


def _record(delivery, attempt: Attempt, *, now, host_results: dict[str, bool]) -> None:
    """Apply an attempt's outcome to the delivery (state, retry time, dead letter)."""
    from federation.models import DeliveryState, Follow, FollowDirection

    delivery.attempts += 1
    delivery.last_status = attempt.status
    delivery.last_error = attempt.error[:2000]
    status = attempt.status
    if attempt.refused:
        delivery.transition(DeliveryState.DEAD)
    elif status is not None and 200 <= status < 300:
        host_results.setdefault(delivery.host, True)
        delivery.transition(DeliveryState.DELIVERED)
    elif status == 410:
        host_results.setdefault(delivery.host, True)
        # The follower is gone: stop sending it anything.
        Follow.objects.filter(direction=FollowDirection.INBOUND).filter(
            remote_actor__inbox=delivery.inbox).delete()
        Follow.objects.filter(direction=FollowDirection.INBOUND).filter(
            remote_actor__shared_inbox=delivery.inbox).delete()
        delivery.transition(DeliveryState.CANCELLED)
    elif status in PERMANENT_STATUSES:
        host_results.setdefault(delivery.host, True)
        delivery.last_error = delivery.last_error or f"HTTP {status}"
        delivery.transition(DeliveryState.DEAD)
    else:
        host_results[delivery.host] = False
        retry_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts,
                                                              retry_after=attempt.retry_after))
        if retry_at > delivery.deadline:
            delivery.transition(DeliveryState.DEAD)
        else:
            delivery.next_attempt_at = retry_at


def _signing_keys(deliveries) -> dict[int, tuple]:
    keys = {}
    for delivery in deliveries:
        commune = delivery.activity.commune
        if commune is not None and commune.pk not in keys:
            keys[commune.pk] = (actor_private_key(commune=commune),
                                f"{actor_url(commune)}#main-key")
    return keys


def _open_hosts(hosts) -> dict[str, dt.datetime]:
    from federation.models import HostHealth

    return dict(HostHealth.objects.filter(host__in=set(hosts), open_until__gt=timezone.now())
                .values_list("host", "open_until"))


def _run(deliveries) -> None:
    from federation.models import Delivery, DeliveryState

    now = timezone.now()
    open_hosts = _open_hosts(d.host for d in deliveries)
    keys = _signing_keys(deliveries)
    to_send, postponed = [], []
    for delivery in deliveries:
        if delivery.host in open_hosts:
            # Circuit open: not an attempt; try again when it closes.
            delivery.next_attempt_at = open_hosts[delivery.host]
            postponed.append(delivery)
        elif delivery.activity.commune_id is None:
            delivery.transition(DeliveryState.CANCELLED)
            postponed.append(delivery)
        else:
            to_send.append(delivery)

    def send(delivery):
        private_key, key_id = keys[delivery.activity.commune_id]
        return _send(delivery, private_key=private_key, key_id=key_id)

    workers = max(1, min(settings.FEDERATION_DELIVERY_CONCURRENCY, len(to_send)))
    if workers == 1:
        attempts = [send(delivery) for delivery in to_send]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            attempts = list(pool.map(send, to_send))
    host_results: dict[str, bool] = {}
    for delivery, attempt in zip(to_send, attempts, strict=True):
        _record(delivery, attempt, now=now, host_results=host_results)
    with transaction.atomic():
        Delivery.objects.bulk_update(
            [*to_send, *postponed],
            ["state", "state_changed_at", "next_attempt_at", "attempts", "last_error",
             "last_status"], batch_size=500)
        for host, ok in host_results.items():
            _record_host(host, ok=ok)


def handle_queued(delivery) -> str:
    """Send one delivery; return its new state."""
    _run([delivery])
    return delivery.state


def delivery_retry(*, delivery) -> None:
    """Put a dead letter back in the queue (admin retry button)."""
    from federation.models import DeliveryState

    delivery.transition(DeliveryState.QUEUED)
    delivery.next_attempt_at = timezone.now()
    delivery.deadline = timezone.now() + dt.timedelta(
        hours=settings.FEDERATION_DELIVERY_DEADLINE_HOURS)
    delivery.save()


def deliveries_run(*, limit: int = CLAIM_BATCH) -> int:
    """Claim and send one batch of due deliveries; return how many were attempted."""
    deliveries = deliveries_claim(limit=limit)
    if deliveries:
        # Sends run concurrently (threads: the work is waiting on sockets); results are
        # written in one transaction. A crash leaves the lease to expire: at-least-once.
        _run(deliveries)
    return len(deliveries)

"""Benchmark of residents' notifications: one urgent alert, many subscribers.

    make bench-notify                                   # 2,000 push, 1,000 e-mail, 100 SMS
    make bench-notify ARGS="--push 100000 --email 20000 --sms 1000"

Runs under pytest-django (the test settings and database: SQLite unless DATABASE_URL),
all endpoints on loopback: the push service of tests/notify (it verifies every VAPID
signature and decrypts every payload, in this process), aiosmtpd, the OVHcloud SMS
server of tests/notify. Publishes one urgent alert in Donges and times the worker's
fan-out and sends per channel (one worker), then the same number of deliveries sent
by a naive loop (one pywebpush.webpush() call and one SMTP connection per subscriber).
Prints deliveries per second side by side and the worker's peak Python memory
(tracemalloc). Not a timed test: nothing here asserts a speed.
"""

from __future__ import annotations

import os
import smtplib
import time
import tracemalloc
from email.message import EmailMessage

import pytest
from django.utils import timezone
from pywebpush import webpush

from notify.delivery import deliveries_send
from notify.fanout import rows_fan_out
from notify.models import Delivery, PushSubscription, Subscriber
from tests.factories import make_alert, publish
from tests.notify.ovh_server import ovh_server_start
from tests.notify.push_service import push_service_start
from tests.notify.smtp import smtp_start

PUSH = int(os.environ.get("BENCH_NOTIFY_PUSH", "2000"))
EMAIL = int(os.environ.get("BENCH_NOTIFY_EMAIL", "1000"))
SMS = int(os.environ.get("BENCH_NOTIFY_SMS", "100"))
NAIVE_SAMPLE = int(os.environ.get("BENCH_NOTIFY_NAIVE", "200"))


def _subscribers(commune, push_service):
    rows = [Subscriber(email=f"r{n}@example.org" if n < EMAIL else "",
                       email_confirmed_at=timezone.now() if n < EMAIL else None,
                       phone=f"+336{n:08d}" if n < SMS else "",
                       phone_confirmed_at=timezone.now() if n < SMS else None)
            for n in range(max(PUSH, EMAIL, SMS))]
    Subscriber.objects.bulk_create(rows, batch_size=2000)
    through = Subscriber.communes.through
    through.objects.bulk_create([through(subscriber_id=row.pk, communehomepage_id=commune.pk)
                                 for row in rows], batch_size=2000)
    subscriptions = [push_service.subscription(f"s{n}") for n in range(PUSH)]
    PushSubscription.objects.bulk_create([
        PushSubscription(subscriber=rows[n], endpoint=info["endpoint"],
                         p256dh=info["keys"]["p256dh"], auth=info["keys"]["auth"])
        for n, info in enumerate(subscriptions)], batch_size=2000)
    return subscriptions


@pytest.mark.django_db
def test_bench_notify(commune, settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify_vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.NOTIFY_VAPID_PRIVATE_KEY = keys["NOTIFY_VAPID_PRIVATE_KEY"]
    settings.NOTIFY_VAPID_PUBLIC_KEY = keys["NOTIFY_VAPID_PUBLIC_KEY"]
    push_service = push_service_start()
    controller, mailbox = smtp_start()
    ovh = ovh_server_start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.NOTIFY_SMS_PROVIDER, settings.NOTIFY_SMS_OVH = "ovh", ovh.settings()
    settings.NOTIFY_SMS_MONTHLY_CAP = SMS + 10
    subscriptions = _subscribers(commune, push_service)

    from cms.publishing.models import OutboxMessage

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("notify.delivery.deliveries_send", lambda **kwargs: None)
        alert = publish(make_alert(commune, severity=3, title="Bench"))
        tracemalloc.start()
        started = time.perf_counter()
        rows_fan_out(list(OutboxMessage.objects.filter(category="notify", object_id=alert.pk)))
        fan_out = time.perf_counter() - started
    timings = {}
    for channel in ("push", "email", "sms"):
        started = time.perf_counter()
        if os.environ.get("BENCH_NOTIFY_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                deliveries_send(channels=[channel])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            deliveries_send(channels=[channel])
        timings[channel] = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    sent = {c: Delivery.objects.filter(channel=c, state="sent").count()
            for c in ("push", "email", "sms")}

    # The naive loop, on a sample: one webpush() and one SMTP connection per subscriber.
    sample = min(NAIVE_SAMPLE, PUSH)
    started = time.perf_counter()
    for info in subscriptions[:sample]:
        webpush(info, data='{"title": "Bench"}', vapid_private_key=keys[
            "NOTIFY_VAPID_PRIVATE_KEY"], vapid_claims={
                "sub": "mailto:bench@example.org", "aud": push_service.origin,
                "exp": int(time.time()) + 12 * 3600}, ttl=3600)
    naive_push = sample / (time.perf_counter() - started)
    sample_mail = min(NAIVE_SAMPLE, EMAIL)
    started = time.perf_counter()
    for n in range(sample_mail):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            "mairie@example.org", f"r{n}@example.org", "Bench")
        message.set_content("Bench")
        with smtplib.SMTP("127.0.0.1", controller.port) as smtp:
            smtp.send_message(message)
    naive_mail = sample_mail / (time.perf_counter() - started)

    print(f"\n\nSubscribers: {PUSH} push, {EMAIL} e-mail, {SMS} SMS; fan-out "
          f"{fan_out:.1f} s ({sum(sent.values()) / fan_out:.0f} deliveries/s written)\n")
    print("| channel | sent | worker deliveries/s | naive loop deliveries/s |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| push | {sent['push']} | {sent['push'] / timings['push']:.0f} | {naive_push:.0f} |")
    print(f"| e-mail | {sent['email']} | {sent['email'] / timings['email']:.0f} | "
          f"{naive_mail:.0f} |")
    print(f"| SMS | {sent['sms']} | {sent['sms'] / timings['sms']:.0f} | — |")
    print(f"\nLast subscriber reached {fan_out + sum(timings.values()):.1f} s after the "
          f"fan-out started (one worker); worker peak Python memory "
          f"{peak / 2**20:.1f} MiB")
    controller.stop()
    push_service.server.shutdown()
    ovh.server.shutdown()
    assert sent["push"] == PUSH and sent["email"] == EMAIL and sent["sms"] == SMS

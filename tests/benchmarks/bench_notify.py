"""Benchmark of residents' notifications: one urgent alert, many subscribers.

    make bench-notify                                   # 2,000 push, 1,000 e-mail, 100 SMS
    BENCH_NOTIFY_PUSH=100000 BENCH_NOTIFY_EMAIL=20000 BENCH_NOTIFY_SMS=1000 \
        BENCH_NOTIFY_ROUNDS=1 make bench-notify

Runs under pytest-django (the test settings and database: SQLite unless DATABASE_URL),
all endpoints on loopback, each in its own process (forked, so that they do not take
the worker's interpreter lock): the push service of tests/notify (it verifies every
VAPID signature and decrypts every payload), aiosmtpd, the OVHcloud SMS server.
Each round publishes one urgent alert in Donges, times the worker's fan-out and sends
per channel (one worker), then a naive loop on a sample, interleaved with the worker's
rounds: one pywebpush.webpush() call per subscriber, one SMTP connection per subscriber
carrying the same message the worker sends. Prints the medians of the rounds side by
side, then one more round under tracemalloc for the worker's peak Python memory (not
timed: tracemalloc slows everything down). Not a timed test: nothing asserts a speed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import smtplib
import socket
import statistics
import time
import tracemalloc

import pytest
from django.utils import timezone
from pywebpush import webpush

from cms.publishing.models import OutboxMessage
from notify.channels.base import Outgoing
from notify.channels.push import push_payload
from notify.delivery import deliveries_send, items_current
from notify.fanout import rows_fan_out
from notify.mail import message_build
from notify.models import Delivery, PushSubscription, Subscriber
from tests.factories import make_alert, publish
from tests.notify.ovh_server import ovh_server_start
from tests.notify.push_service import push_service_start
from tests.notify.smtp import Mailbox, free_port

PUSH = int(os.environ.get("BENCH_NOTIFY_PUSH", "2000"))
EMAIL = int(os.environ.get("BENCH_NOTIFY_EMAIL", "1000"))
SMS = int(os.environ.get("BENCH_NOTIFY_SMS", "100"))
NAIVE_SAMPLE = int(os.environ.get("BENCH_NOTIFY_NAIVE", "200"))
ROUNDS = int(os.environ.get("BENCH_NOTIFY_ROUNDS", "3"))
# Milliseconds the push service waits before answering (0: loopback as it is; a real
# push service answers in tens of milliseconds).
PUSH_DELAY_MS = float(os.environ.get("BENCH_NOTIFY_PUSH_DELAY_MS", "0"))
CHANNELS = ("push", "email", "sms")


def _forked(target, *args) -> multiprocessing.Process:
    process = multiprocessing.get_context("fork").Process(target=target, args=args,
                                                          daemon=True)
    process.start()
    return process


def _smtp_serve(port: int) -> None:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    Controller(Mailbox(), hostname="127.0.0.1", port=port).start()
    while True:
        time.sleep(3600)


def _wait_for(port: int) -> None:
    for _attempt in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


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


def _round(commune, name: str, *, profile: bool = False) -> tuple[float, dict, dict]:
    """Publish one urgent alert, fan it out, send every channel: (fan-out seconds,
    seconds per channel, deliveries sent per channel)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("notify.delivery.deliveries_send", lambda **kwargs: None)
        alert = publish(make_alert(commune, severity=3, title=name))
        started = time.perf_counter()
        rows_fan_out(list(OutboxMessage.objects.filter(category="notify", object_id=alert.pk)))
        fan_out = time.perf_counter() - started
    timings = {}
    for channel in CHANNELS:
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profiler:
                deliveries_send(channels=[channel])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            deliveries_send(channels=[channel])
        timings[channel] = time.perf_counter() - started
    sent = {channel: Delivery.objects.filter(
        channel=channel, state="sent", translation_key=alert.translation_key).count()
        for channel in CHANNELS}
    return fan_out, timings, sent


def _naive(*, subscriptions, keys, origin, smtp_port, sample) -> tuple[float, float]:
    """One webpush() per subscriber, one SMTP connection per subscriber with the same
    message the worker builds: deliveries per second."""
    delivery = Delivery.objects.filter(channel="email").select_related("subscriber").first()
    item = next(iter(items_current([delivery.translation_key]).values()))
    data = push_payload(Outgoing(delivery=delivery, item=item))
    started = time.perf_counter()
    for info in subscriptions[:sample]:
        webpush(info, data=data, vapid_private_key=keys["NOTIFY_VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": "mailto:bench@example.org", "aud": origin,
                              "exp": int(time.time()) + 12 * 3600}, ttl=3600)
    push = sample / (time.perf_counter() - started)
    subscribers = list(Subscriber.objects.exclude(email="").order_by("pk")[:sample])
    started = time.perf_counter()
    for subscriber in subscribers:
        message = message_build(subscriber=subscriber, subject=f"Alerte urgente : {item.title}",
                                template="alert", context={"item": item, "summary": ""})
        with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
            smtp.sendmail(message.from_email, message.to,
                          message.message().as_bytes(linesep="\r\n"))
    return push, len(subscribers) / (time.perf_counter() - started)


@pytest.mark.django_db
def test_bench_notify(commune, settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify_vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.NOTIFY_VAPID_PRIVATE_KEY = keys["NOTIFY_VAPID_PRIVATE_KEY"]
    settings.NOTIFY_VAPID_PUBLIC_KEY = keys["NOTIFY_VAPID_PUBLIC_KEY"]
    push_service = push_service_start(serve=False)
    push_service.delay = PUSH_DELAY_MS / 1000
    smtp_port = free_port()
    ovh = ovh_server_start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.NOTIFY_SMS_PROVIDER, settings.NOTIFY_SMS_OVH = "ovh", ovh.settings()
    settings.NOTIFY_SMS_MONTHLY_CAP = (SMS + 10) * (ROUNDS + 1)
    started = time.perf_counter()
    subscriptions = _subscribers(commune, push_service)
    print(f"\n{len(subscriptions)} push subscriptions and their keys made in "
          f"{time.perf_counter() - started:.0f} s")
    # The servers in their own processes, forked once the push service knows every key.
    servers = [_forked(push_service.server.serve_forever), _forked(_smtp_serve, smtp_port)]
    _wait_for(smtp_port)
    sample = min(NAIVE_SAMPLE, PUSH, EMAIL)
    rounds, naive = [], []
    try:
        for number in range(ROUNDS):
            rounds.append(_round(commune, f"Bench {number}",
                                 profile=bool(os.environ.get("BENCH_NOTIFY_PROFILE"))))
            naive.append(_naive(subscriptions=subscriptions, keys=keys,
                                origin=push_service.origin, smtp_port=smtp_port,
                                sample=sample))
        tracemalloc.start()
        _round(commune, "Bench memory")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        for server in servers:
            server.kill()
        ovh.server.shutdown()

    def rate(channel):
        return statistics.median(sent[channel] / timings[channel]
                                 for _fan_out, timings, sent in rounds)

    naive_push = statistics.median(push for push, _mail in naive)
    naive_mail = statistics.median(mail for _push, mail in naive)
    fan_out = statistics.median(fan_out for fan_out, _timings, _sent in rounds)
    reached = statistics.median(fan_out + sum(timings.values())
                                for fan_out, timings, _sent in rounds)
    written = PUSH + EMAIL + SMS
    print(f"\n\nSubscribers: {PUSH} push, {EMAIL} e-mail, {SMS} SMS; medians of {ROUNDS} "
          f"round(s), naive sample {sample}, push service answers after "
          f"{PUSH_DELAY_MS:.0f} ms; fan-out {fan_out:.1f} s "
          f"({written / fan_out:.0f} deliveries/s written)\n")
    print("| channel | sent per round | worker deliveries/s | naive loop deliveries/s | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| push | {PUSH} | {rate('push'):.0f} | {naive_push:.0f} | "
          f"{rate('push') / naive_push:.1f}× |")
    print(f"| e-mail | {EMAIL} | {rate('email'):.0f} | {naive_mail:.0f} | "
          f"{rate('email') / naive_mail:.1f}× |")
    print(f"| SMS | {SMS} | {rate('sms'):.0f} | — | — |")
    print(f"\nLast subscriber reached {reached:.1f} s after the fan-out started (one "
          f"worker); worker peak Python memory {peak / 2**20:.1f} MiB (a round under "
          f"tracemalloc)")
    for _fan_out, _timings, sent in rounds:
        assert sent == {"push": PUSH, "email": EMAIL, "sms": SMS}

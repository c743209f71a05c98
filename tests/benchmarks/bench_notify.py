"""Benchmark of residents' notifications: one urgent alert, many subscribers.

    make bench-notify                                   # 2,000 push, 1,000 e-mail, 100 SMS
    BENCH_NOTIFY_PUSH_DELAY_MS=50 BENCH_NOTIFY_SMTP_DELAY_MS=20 make bench-notify
    DATABASE_URL=postgres://… BENCH_NOTIFY_PUSH=100000 BENCH_NOTIFY_EMAIL=20000 \
        BENCH_NOTIFY_SMS=1000 make bench-notify         # the issue's sizes, two workers too

Runs under pytest-django (the test settings and database: SQLite unless DATABASE_URL),
all endpoints on loopback, each in its own process (forked, so that they do not take
the worker's interpreter lock): the push service of tests/notify (it verifies every
VAPID signature and decrypts every payload), an aiosmtpd relay, the OVHcloud SMS server.
The push service and the relay may answer late (BENCH_NOTIFY_*_DELAY_MS), as servers
across the Internet do. Each round publishes one urgent alert in Donges, times the
worker's fan-out and sends per channel (one worker, in this process: wall time and CPU
time), then a naive loop on a sample: one pywebpush.webpush() call per subscriber, one
SMTP connection per subscriber carrying the same message Django builds. On PostgreSQL a
third step delivers another alert with two worker processes at once. Prints the medians
of the rounds side by side, then one more round under tracemalloc for the worker's peak
Python memory (not timed: tracemalloc slows everything down). Not a timed test: nothing
asserts a speed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import smtplib
import socket
import statistics
import time
import tracemalloc

import pytest
from django.db import connection, connections
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
from tests.notify.smtp import free_port

PUSH = int(os.environ.get("BENCH_NOTIFY_PUSH", "2000"))
EMAIL = int(os.environ.get("BENCH_NOTIFY_EMAIL", "1000"))
SMS = int(os.environ.get("BENCH_NOTIFY_SMS", "100"))
NAIVE_SAMPLE = int(os.environ.get("BENCH_NOTIFY_NAIVE", "200"))
ROUNDS = int(os.environ.get("BENCH_NOTIFY_ROUNDS", "3"))
# Milliseconds the push service waits before answering (0: loopback as it is; a real
# push service answers in tens of milliseconds).
PUSH_DELAY_MS = float(os.environ.get("BENCH_NOTIFY_PUSH_DELAY_MS", "0"))
# Milliseconds before each reply of the SMTP relay (EHLO, MAIL, RCPT, end of DATA): 0 is
# a relay on the same machine; a provider's relay is across the Internet.
SMTP_DELAY_MS = float(os.environ.get("BENCH_NOTIFY_SMTP_DELAY_MS", "0"))
CHANNELS = ("push", "email", "sms")


def _forked(target, *args) -> multiprocessing.Process:
    process = multiprocessing.get_context("fork").Process(target=target, args=args,
                                                          daemon=True)
    process.start()
    return process


class _Relay:
    """What a relay does with a message before it queues it: accepts the envelope and
    checks the message is one of ours (one recipient, the one-click unsubscribe header),
    without parsing the MIME tree (tests/notify/smtp.py's Mailbox does, for the tests).
    Each reply comes SMTP_DELAY_MS late."""

    async def _late(self):
        if SMTP_DELAY_MS:
            await asyncio.sleep(SMTP_DELAY_MS / 1000)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        await self._late()
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        await self._late()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await self._late()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await self._late()
        content = envelope.original_content
        if len(envelope.rcpt_tos) != 1 or b"\r\nList-Unsubscribe-Post: " not in content:
            return "554 5.6.0 not a subscriber's message"
        return "250 Message accepted"


def _smtp_serve(port: int) -> None:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    Controller(_Relay(), hostname="127.0.0.1", port=port).start()
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


def _publish(commune, name: str) -> tuple:
    """Publish one urgent alert and fan it out (no sending): its translation key and the
    fan-out's seconds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("notify.delivery.deliveries_send", lambda **kwargs: None)
        alert = publish(make_alert(commune, severity=3, title=name))
        started = time.perf_counter()
        rows_fan_out(list(OutboxMessage.objects.filter(category="notify", object_id=alert.pk)))
        return alert.translation_key, time.perf_counter() - started


def _sent(key) -> dict:
    return {channel: Delivery.objects.filter(channel=channel, state="sent",
                                             translation_key=key).count()
            for channel in CHANNELS}


def _round(commune, name: str, *, profile: bool = False) -> dict:
    """Publish one urgent alert, fan it out, send every channel in this process: fan-out
    seconds, and per channel the seconds, the worker's CPU seconds and the count sent."""
    key, fan_out = _publish(commune, name)
    seconds, cpu = {}, {}
    for channel in CHANNELS:
        started, started_cpu = time.perf_counter(), time.process_time()
        if profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profiler:
                deliveries_send(channels=[channel])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            deliveries_send(channels=[channel])
        seconds[channel] = time.perf_counter() - started
        cpu[channel] = time.process_time() - started_cpu
    return {"fan_out": fan_out, "seconds": seconds, "cpu": cpu, "sent": _sent(key)}


def _worker() -> None:
    """A worker process: deliver everything due, then leave (no test teardown)."""
    code = 1
    try:
        deliveries_send()
        code = 0
    finally:
        connections.close_all()
        os._exit(code)


def _round_workers(commune, name: str, workers: int) -> dict:
    """Publish one urgent alert, fan it out, deliver it with `workers` processes at once
    (they share the rows through SELECT … FOR UPDATE SKIP LOCKED): seconds until the
    last subscriber is reached, from the start of the fan-out."""
    started = time.perf_counter()
    key, _fan_out = _publish(commune, name)
    connections.close_all()  # each process opens its own connection
    processes = [_forked(_worker) for _number in range(workers)]
    for process in processes:
        process.join()
    assert all(process.exitcode == 0 for process in processes)
    return {"reached": time.perf_counter() - started, "sent": _sent(key)}


def _naive(*, subscriptions, keys, origin, smtp_port, sample) -> dict:
    """One webpush() per subscriber, one SMTP connection per subscriber with the same
    message the worker builds: deliveries per second and CPU seconds per delivery."""
    delivery = Delivery.objects.filter(channel="email").select_related("subscriber").first()
    item = next(iter(items_current([delivery.translation_key]).values()))
    data = push_payload(Outgoing(delivery=delivery, item=item))
    started, started_cpu = time.perf_counter(), time.process_time()
    for info in subscriptions[:sample]:
        webpush(info, data=data, vapid_private_key=keys["NOTIFY_VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": "mailto:bench@example.org", "aud": origin,
                              "exp": int(time.time()) + 12 * 3600}, ttl=3600)
    push = (sample / (time.perf_counter() - started),
            (time.process_time() - started_cpu) / sample)
    subscribers = list(Subscriber.objects.exclude(email="").order_by("pk")[:sample])
    started, started_cpu = time.perf_counter(), time.process_time()
    for subscriber in subscribers:
        message = message_build(subscriber=subscriber, subject=f"Alerte urgente : {item.title}",
                                template="alert", context={"item": item, "summary": ""})
        with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
            smtp.sendmail(message.from_email, message.to,
                          message.message().as_bytes(linesep="\r\n"))
    email = (len(subscribers) / (time.perf_counter() - started),
             (time.process_time() - started_cpu) / len(subscribers))
    return {"push": push, "email": email}


@pytest.mark.django_db(transaction=True)
def test_bench_notify(commune, settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify_vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.NOTIFY_VAPID_PRIVATE_KEY = keys["NOTIFY_VAPID_PRIVATE_KEY"]
    settings.NOTIFY_VAPID_PUBLIC_KEY = keys["NOTIFY_VAPID_PUBLIC_KEY"]
    settings.NOTIFY_PUSH_ALLOW_HTTP = True  # the push service is on loopback, over http
    push_service = push_service_start(serve=False)
    push_service.delay = PUSH_DELAY_MS / 1000
    smtp_port = free_port()
    ovh = ovh_server_start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.NOTIFY_SMS_PROVIDER, settings.NOTIFY_SMS_OVH = "ovh", ovh.settings()
    settings.NOTIFY_SMS_MONTHLY_CAP = (SMS + 10) * (2 * ROUNDS + 1)
    # Two workers share the rows through row locks, which SQLite has not (and its test
    # database lives in this process's memory).
    two_workers = connection.vendor == "postgresql"
    started = time.perf_counter()
    subscriptions = _subscribers(commune, push_service)
    print(f"\n{len(subscriptions)} push subscriptions and their keys made in "
          f"{time.perf_counter() - started:.0f} s")
    # The servers in their own processes, forked once the push service knows every key.
    servers = [_forked(push_service.serve_forever), _forked(_smtp_serve, smtp_port)]
    _wait_for(smtp_port)
    sample = min(NAIVE_SAMPLE, PUSH, EMAIL)
    rounds, naive, doubled = [], [], []
    try:
        for number in range(ROUNDS):
            rounds.append(_round(commune, f"Bench {number}",
                                 profile=bool(os.environ.get("BENCH_NOTIFY_PROFILE"))))
            naive.append(_naive(subscriptions=subscriptions, keys=keys,
                                origin=push_service.origin, smtp_port=smtp_port,
                                sample=sample))
            if two_workers:
                doubled.append(_round_workers(commune, f"Bench {number}, two workers", 2))
            print(f"round {number}: {rounds[-1]}, naive {naive[-1]}"
                  + (f", two workers {doubled[-1]}" if two_workers else ""), flush=True)
        tracemalloc.start()
        _round(commune, "Bench memory")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        for server in servers:
            server.kill()
        ovh.server.shutdown()

    def median(values):
        return statistics.median(list(values))

    def rate(channel):
        return median(row["sent"][channel] / row["seconds"][channel] for row in rounds)

    def cpu_ms(channel):
        return median(1000 * row["cpu"][channel] / row["sent"][channel] for row in rounds)

    fan_out = median(row["fan_out"] for row in rounds)
    reached = median(row["fan_out"] + sum(row["seconds"].values()) for row in rounds)
    written = PUSH + EMAIL + SMS
    print(f"\n\nSubscribers: {PUSH} push, {EMAIL} e-mail, {SMS} SMS; {connection.vendor}; "
          f"medians of {ROUNDS} round(s), naive sample {sample}; the push service answers "
          f"after {PUSH_DELAY_MS:.0f} ms, the SMTP relay each command after "
          f"{SMTP_DELAY_MS:.0f} ms; fan-out {fan_out:.1f} s "
          f"({written / fan_out:.0f} deliveries/s written)\n")
    print("| channel | sent per round | worker deliveries/s | naive loop deliveries/s | ratio "
          "| worker CPU ms per delivery | naive CPU ms per delivery |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for channel, label, count in (("push", "push", PUSH), ("email", "e-mail", EMAIL)):
        naive_rate = median(row[channel][0] for row in naive)
        print(f"| {label} | {count} | {rate(channel):.0f} | {naive_rate:.0f} | "
              f"{rate(channel) / naive_rate:.1f}× | {cpu_ms(channel):.2f} | "
              f"{median(row[channel][1] for row in naive) * 1000:.2f} |")
    print(f"| SMS | {SMS} | {rate('sms'):.0f} | — | — | — | — |")
    print(f"\nLast subscriber reached {reached:.1f} s after the fan-out started with one "
          "worker; " + (f"{median(row['reached'] for row in doubled):.1f} s with two "
                        "worker processes" if two_workers else
                        "two workers: not measured on SQLite (DATABASE_URL on PostgreSQL)")
          + f". Worker peak Python memory {peak / 2**20:.1f} MiB (a round under tracemalloc)")
    for row in rounds + doubled:
        assert row["sent"] == {"push": PUSH, "email": EMAIL, "sms": SMS}

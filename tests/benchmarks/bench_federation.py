"""Benchmarks of issue 5: (a) sharing inside a deployment, (b) fan-out, (c) inbound.

    make bench-federation
    PYTHONPATH=. .venv/bin/python tests/benchmarks/bench_federation.py --inboxes 1000 \\
        --inbound 1000 --inbound-old 200 --served 1000 [--skip-sharing] [--skip-fan-out]

(b) One Create(Event) from a commune with 1,000 followers, each with its own inbox URL
    on a local receiver (a separate process on loopback answering 202): the activity is
    recorded in the publish transaction, fanned out into 1,000 deliveries, and one worker
    (this process: claim with row locks, sign per delivery with RSA-2048, POST over the
    SSRF-safe client, record the result) sends them all. Deliveries/s and the worker's
    peak RSS.
(c) N signed activities from a followed remote commune (its key already cached, as
    after the first contact), a realistic burst: of every 20, 16 Creates (12 events,
    4 articles), 2 newer Updates, 1 older Update and 1 Delete of objects created a few
    activities earlier. POSTed one after the other to the real inbox view (size,
    digest, date, rsa-sha256 verification, replay record, store), then applied by one
    worker running `worker.drain()`, the code of the federation_drain task that
    `manage.py run_worker` runs (batches: federation/activitypub/inbox_batch.py).
    Reported: activities/s applied by the worker, the inbox view's rate, both in turn
    end to end, and the rows left behind (pages, API rows, shares, search outbox rows,
    treebeard problems). Then N new activities of the same mix, each handed to
    `inbox_accept()` (what the view calls: every check above and the store, without
    Django's request handling, middleware and routing) and then applied by
    `worker.drain()`, in turn in this one process: the rate at which one worker would
    both verify and apply them. Then the same mix, fewer activities (--inbound-old), through
    the one-by-one path (FEDERATION_INBOX_BULK off), and the ratio of the two.
    Then the pipeline as deployed (--served N, default 1,000; 0 skips it): gunicorn
    (--web-workers, 2 as in the Procfile, cms.settings.production) serves the inbox on
    loopback while `manage.py run_worker` applies what it stores, both at once;
    --clients threads POST the same mix over HTTP. Reported: activities/s from the
    first POST to the last message applied (its state change), the rate at which the
    POSTs were answered, and the states left.
(a) Runs tests/benchmarks/bench_federation_sharing.py (the in-deployment sharing
    benchmark) in a subprocess when it exists, on SHARING_DATABASE_URL (default
    below), and repeats the end of its output.

Drops and recreates the database named by DATABASE_URL (default below), then migrates.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_DB = "postgres://clocher:clocher@127.0.0.1:5432/clocher_bench_federation"
# (a) gets its own database so it never collides with a run of its script alone.
DEFAULT_SHARING_DB = "postgres://clocher:clocher@127.0.0.1:5432/clocher_bench_federation_a"
TARGET_PER_SECOND = 200

RECEIVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def sh(*args, env):
    print("$", " ".join(args), flush=True)
    subprocess.run(args, env=env, check=True, cwd=ROOT)


def recreate_database(url: str, env) -> None:
    parts = urllib.parse.urlparse(url)
    if parts.scheme.startswith("sqlite"):
        Path(parts.path).unlink(missing_ok=True)
        return
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        sh("psql", admin, "-q", "-c", statement, env=env)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_fan_out(*, inboxes: int) -> dict:
    import datetime as dt

    from django.conf import settings
    from django.db import transaction

    from cms.communes.services import CommuneData, commune_upsert
    from cms.content.models import EventIndexPage, EventPage
    from federation.activitypub import delivery, worker
    from federation.models import Delivery, DeliveryState, Follow, RemoteActor

    receiver = subprocess.Popen([PYTHON, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    port = int(receiver.stdout.readline())
    try:
        settings.FEDERATION_ALLOWED_PRIVATE_PEERS = [f"127.0.0.1:{port}"]
        delivery._client_for.cache_clear()
        commune, _ = commune_upsert(data=CommuneData(insee_code="44052", name="Donges",
                                                     department_code="44"))
        Follow.objects.filter(commune=commune).delete()
        base = f"http://127.0.0.1:{port}/{time.time_ns()}"
        actors = RemoteActor.objects.bulk_create([
            RemoteActor(url=f"{base}/users/{i}", domain=f"127.0.0.1:{port}",
                        inbox=f"{base}/users/{i}/inbox") for i in range(inboxes)])
        Follow.objects.bulk_create([
            Follow(commune=commune, remote_actor=actor, direction="inbound", state="accepted")
            for actor in actors])
        agenda = EventIndexPage.objects.child_of(commune).get()
        start = dt.datetime(2027, 7, 14, 20, 0, tzinfo=dt.UTC)
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        with transaction.atomic():
            page = EventPage(title="Feu d'artifice", slug=f"feu-{time.time_ns()}", start=start,
                             live=False,
                             venue_name="Port")
            agenda.add_child(instance=page)
            page.save_revision().publish()
        published = time.perf_counter()
        worker.fan_out_pending()
        fanned = time.perf_counter()
        while delivery.deliveries_run(limit=200):
            pass
        finished = time.perf_counter()
        delivered = Delivery.objects.filter(state=DeliveryState.DELIVERED,
                                            activity__object_id__endswith=f"/{page.pk}").count()
        return {
            "inboxes": inboxes, "delivered": delivered,
            "publish_s": published - started, "fan_out_s": fanned - published,
            "send_s": finished - fanned, "total_s": finished - started,
            "per_second": delivered / (finished - published),
            "peak_rss_mb": peak_rss_mb(), "rss_before_mb": rss_before,
        }
    finally:
        receiver.terminate()


MIX_PATTERN = (["Create:Event"] * 12 + ["Create:Article"] * 4
               + ["Update"] * 2 + ["Update:stale"] + ["Delete"])


def _inbound_activities(*, remote_url: str, run: str, count: int) -> list[dict]:
    """A realistic burst: of every 20 activities, 16 Creates (12 events, 4 articles),
    2 Updates with a newer version, 1 Update with an older one (ignored) and 1 Delete,
    the last four aimed at objects created a few activities earlier."""
    import datetime as dt

    start = dt.datetime(2027, 5, 1, 9, 0, tzinfo=dt.UTC)
    host = "https://saint-nazaire.example"
    created: list[tuple[int, str]] = []
    activities = []
    for number in range(count):
        kind = MIX_PATTERN[number % len(MIX_PATTERN)]
        activity_id = f"{host}/activities/{run}-{number}"
        if kind.startswith("Create") or not created:
            object_type = "Article" if kind == "Create:Article" else "Event"
            obj = {"id": f"{host}/ap/objects/{run}-{number}", "type": object_type,
                   "attributedTo": remote_url, "name": f"Marché n° {number}",
                   "summary": "Samedi, 9h00 · Halles", "content": "<p>Producteurs locaux.</p>",
                   "published": start.isoformat(), "updated": start.isoformat()}
            if object_type == "Event":
                obj |= {"startTime": (start + dt.timedelta(days=number)).isoformat(),
                        "timezone": "Europe/Paris",
                        "location": {"type": "Place", "name": "Halles",
                                     "latitude": 47.27, "longitude": -2.21}}
            created.append((number, object_type))
            activity = {"type": "Create", "object": obj}
        else:
            target, object_type = created[-(number % 5) - 1]
            object_id = f"{host}/ap/objects/{run}-{target}"
            if kind == "Delete":
                created.remove((target, object_type))
                activity = {"type": "Delete", "object": object_id}
            else:
                hours = -1 if kind == "Update:stale" else number
                obj = {"id": object_id, "type": object_type, "attributedTo": remote_url,
                       "name": f"Marché n° {target} (v{number})",
                       "summary": "Samedi, 9h00 · Halles", "content": "<p>Modifié.</p>",
                       "published": start.isoformat(),
                       "updated": (start + dt.timedelta(hours=hours)).isoformat()}
                if object_type == "Event":
                    obj["startTime"] = (start + dt.timedelta(days=target)).isoformat()
                activity = {"type": "Update", "object": obj}
        activities.append({"@context": "https://www.w3.org/ns/activitystreams",
                           "id": activity_id, "actor": remote_url, **activity})
    return activities


def _followed_remote(*, insee_code: str, name: str, username: str):
    """A local commune following a fresh remote commune whose key is already cached, as
    after the first contact: (run id, the remote actor's URL, its private key)."""
    from cms.communes.services import CommuneData, commune_upsert
    from federation.activitypub.signatures import generate_key_pair, load_private_key
    from federation.models import Follow, RemoteActor

    commune, _ = commune_upsert(data=CommuneData(insee_code=insee_code, name=name,
                                                 department_code="44"))
    private, public = generate_key_pair()
    run = str(time.time_ns())
    # The host _inbound_activities() gives the activities' ids.
    remote_url = f"https://saint-nazaire.example/ap/communes/{username}-{run}"
    remote = RemoteActor.objects.create(
        url=remote_url, domain="saint-nazaire.example", inbox=f"{remote_url}/inbox",
        name="Saint-Nazaire", preferred_username=f"{username}-{run}",
        public_key_id=f"{remote_url}#main-key", public_key_pem=public)
    Follow.objects.create(commune=commune, remote_actor=remote, direction="outbound",
                          state="accepted")
    return run, remote_url, load_private_key(private)


def _post_to_view(signed: list[tuple[bytes, dict]], path: str) -> list[int]:
    """Each request through the inbox view: Django's request handling, middleware and
    URL routing included (the test client, in this process)."""
    from django.test import Client

    client = Client()
    return [client.post(path, data=body, content_type="application/activity+json",
                        **{f"HTTP_{k.upper().replace('-', '_')}": v
                           for k, v in headers.items() if k != "Content-Type"}).status_code
            for body, headers in signed]


def _accept_directly(signed: list[tuple[bytes, dict]], path: str) -> list[int]:
    """Each request through `inbox_accept()`, what the view calls: the checks of the
    security rules (size, digest, date, rsa-sha256 signature, key owner, hosts, replay)
    and the store, without the HTTP layer."""
    from federation.activitypub.inbox import InboxRejectedError, inbox_accept
    from federation.activitypub.signatures import SignedRequest

    statuses = []
    for body, headers in signed:
        request = SignedRequest(method="POST", path=path, body=body,
                                headers={k.lower(): v for k, v in headers.items()},
                                url=f"http://bench.local{path}")
        try:
            inbox_accept(request=request)
        except InboxRejectedError as error:
            statuses.append(error.status)
        else:
            statuses.append(202)
    return statuses


def bench_inbound(*, count: int, bulk: bool = True, http: bool = True) -> dict:
    """Sign, hand to the real inbox view (`http`) or to the `inbox_accept()` it calls,
    then drain with the worker's own code (federation.activitypub.worker.drain, what
    `manage.py run_worker` runs)."""
    from collections import Counter

    from django.conf import settings
    from wagtail.models import Page

    from cms.publishing.models import OutboxMessage
    from cms.readmodel.models import PublishedItem
    from federation.activitypub import worker
    from federation.activitypub.signatures import sign_request
    from federation.models import InboxMessage, ObjectVersion, SharedItem

    settings.ALLOWED_HOSTS = ["*"]
    settings.FEDERATION_BASE_URL = "http://bench.local"
    settings.FEDERATION_INBOX_BULK = bulk
    run, remote_url, key = _followed_remote(insee_code="44103", name="Montoir-de-Bretagne",
                                            username="saint-nazaire")
    path = "/ap/inbox"
    signed = []
    activities = _inbound_activities(remote_url=remote_url, run=run, count=count)
    for activity in activities:
        body = json.dumps(activity).encode()
        signed.append((body, sign_request(
            method="POST", url=f"http://bench.local{path}", body=body,
            headers={"Content-Type": "application/activity+json"},
            key_id=f"{remote_url}#main-key", private_key=key)))
    search_rows = OutboxMessage.objects.filter(category="search")
    index_rows_before = search_rows.count()
    started = time.perf_counter()
    statuses = (_post_to_view if http else _accept_directly)(signed, path)
    verified = time.perf_counter()
    # CPU time of the worker's own process: moves less than wall time on a busy machine.
    cpu_started = time.process_time()
    while InboxMessage.objects.filter(actor_url=remote_url, state="received").exists():
        worker.drain()
    applied = time.perf_counter()
    apply_cpu_s = time.process_time() - cpu_started
    messages = InboxMessage.objects.filter(actor_url=remote_url)
    pages = ObjectVersion.objects.filter(actor_url=remote_url, page__isnull=False)
    page_ids = list(pages.values_list("page_id", flat=True))
    return {
        "path": "batch" if bulk else "one by one",
        "activities": count, "mix": dict(Counter(a["type"] for a in activities)),
        "accepted_202": statuses.count(202), "pages": len(page_ids),
        "states": dict(Counter(messages.values_list("state", flat=True))),
        "read_model": PublishedItem.objects.filter(page_id__in=page_ids).count(),
        "shares": SharedItem.objects.filter(page_id__in=page_ids).count(),
        "index_rows": search_rows.count() - index_rows_before,
        "tree_problems": sum(len(found) for found in Page.find_problems()),
        "verify_store_s": verified - started, "apply_s": applied - verified,
        "verify_per_second": count / (verified - started),
        "apply_per_second": count / (applied - verified),
        "apply_cpu_ms": apply_cpu_s * 1000 / count,
        "per_second": count / (applied - started),
    }


def _production_env(database_url: str, *, conn_max_age: int) -> dict:
    """The environment of a production process (cms.settings.production) on loopback."""
    return {
        **os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60, "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_CONN_MAX_AGE": str(conn_max_age), "LOG_LEVEL": "WARNING",
        # Production refuses to start without it; any valid Fernet key does here.
        "FEDERATION_KEY_SECRET": os.environ.get(
            "FEDERATION_KEY_SECRET", "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE="),
    }


def bench_inbound_served(*, count: int, web_workers: int, clients: int, port: int,
                         conn_max_age: int) -> dict:
    """The pipeline as deployed (Procfile): gunicorn serves the inbox, `manage.py
    run_worker` applies what it stores, both at once. `clients` threads POST the signed
    activities over loopback, taking them in order from one queue (as a remote server's
    delivery threads do). Rate: activities from the first POST to the last applied."""
    import http.client
    import queue
    import threading
    from collections import Counter

    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from federation.activitypub.signatures import sign_request
    from federation.models import InboxMessage, ObjectVersion

    env = _production_env(os.environ["DATABASE_URL"], conn_max_age=conn_max_age)
    run, remote_url, key = _followed_remote(insee_code="44210", name="Trignac",
                                            username="served")
    connection.close()  # the worker and the server hold their own connections
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "cms.wsgi:application", "--workers", str(web_workers), "--timeout", "30",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048"],
        env=env, cwd=ROOT, start_new_session=True)
    # Its one line per task run (state=RUNNING, SUCCESSFUL) is not wanted here.
    worker = subprocess.Popen([PYTHON, "manage.py", "run_worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        for _attempt in range(150):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/api/_ping")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        # What earlier benchmarks left to the worker (search indexing, change sequencing)
        # is done before the clock starts, so that it measures this burst alone.
        from cms.publishing.models import OutboxMessage

        quiet_by = time.monotonic() + 300
        while time.monotonic() < quiet_by and OutboxMessage.objects.filter(
                state="pending").exists():
            time.sleep(0.5)
        host = f"127.0.0.1:{port}"
        jobs: queue.Queue = queue.Queue()
        for activity in _inbound_activities(remote_url=remote_url, run=run, count=count):
            body = json.dumps(activity).encode()
            headers = sign_request(method="POST", url=f"http://{host}/ap/inbox", body=body,
                                   headers={"Content-Type": "application/activity+json"},
                                   key_id=f"{remote_url}#main-key", private_key=key)
            jobs.put((body, headers))
        statuses: list[int] = []

        def post_all() -> None:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                try:
                    body, headers = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    client.request("POST", "/ap/inbox", body=body, headers=headers)
                    response = client.getresponse()
                    response.read()
                    statuses.append(response.status)
                    if response.getheader("Connection", "").lower() == "close":
                        client.close()
                except OSError:
                    client.close()
                    statuses.append(0)

        threads = [threading.Thread(target=post_all) for _ in range(clients)]
        first_post = timezone.now()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posted = time.perf_counter()
        messages = InboxMessage.objects.filter(actor_url=remote_url)
        accepted = statuses.count(202)
        deadline = time.monotonic() + 600
        # Applied: processed, ignored or failed (a failure would show in the states).
        while time.monotonic() < deadline and \
                messages.exclude(state="received").count() < accepted:
            time.sleep(0.2)
        last_applied = messages.aggregate(last=Max("state_changed_at"))["last"] or first_post
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    elapsed = (last_applied - first_post).total_seconds()
    return {
        "activities": count, "web_workers": web_workers, "clients": clients,
        "conn_max_age": conn_max_age,
        "accepted_202": accepted, "statuses": dict(Counter(statuses)),
        "states": dict(Counter(messages.values_list("state", flat=True))),
        "pages": ObjectVersion.objects.filter(actor_url=remote_url, page__isnull=False).count(),
        "post_s": posted - started, "post_per_second": count / (posted - started),
        "total_s": elapsed, "per_second": count / elapsed,
    }


def _states(result: dict) -> str:
    return ", ".join(f"{n} {state}" for state, n in sorted(result["states"].items()))


def _served_line(result: dict) -> str:
    states = _states(result)
    return (f"{result['activities']} signed activities POSTed over loopback by "
            f"{result['clients']} client threads to gunicorn ({result['web_workers']} sync "
            f"workers, cms.settings.production, DATABASE_CONN_MAX_AGE "
            f"{result['conn_max_age']}) while `manage.py run_worker` applies them: "
            f"**{result['per_second']:.0f} activities/s from the first POST to the last "
            f"applied** ({result['total_s']:.2f} s); all POSTs answered in "
            f"{result['post_s']:.2f} s ({result['post_per_second']:.0f}/s); "
            f"{result['accepted_202']} x 202, {states}; {result['pages']} pages")


def _direct_line(result: dict) -> str:
    return (f"the same mix, {result['activities']} new activities, each checked and stored "
            f"by `inbox_accept()` (the view's code without the HTTP layer), then applied by "
            f"`worker.drain()`, in turn: **{result['per_second']:.0f} activities/s verified "
            f"and applied** (verify + store {result['verify_per_second']:.0f}/s, apply "
            f"{result['apply_per_second']:.0f}/s, CPU {result['apply_cpu_ms']:.2f} ms/activity); "
            f"{result['accepted_202']} accepted, {_states(result)}; {result['pages']} pages, "
            f"{result['read_model']} API rows, tree problems {result['tree_problems']}")


def _inbound_line(result: dict) -> str:
    mix = ", ".join(f"{n} {kind}" for kind, n in result["mix"].items())
    states = _states(result)
    return (f"{result['activities']} signed activities ({mix}), {result['path']}: "
            f"**{result['apply_per_second']:.0f} activities/s applied by one worker** "
            f"({result['apply_s']:.2f} s, CPU {result['apply_cpu_ms']:.2f} ms/activity); "
            f"inbox view (verify + store) "
            f"{result['verify_per_second']:.0f}/s; end to end (view then worker, in turn) "
            f"{result['per_second']:.0f}/s; {result['accepted_202']} x 202, {states}; "
            f"{result['pages']} pages, {result['read_model']} API rows, {result['shares']} "
            f"shares, {result['index_rows']} search outbox rows, "
            f"tree problems {result['tree_problems']}")


def run_sharing_benchmark(args) -> str:
    script = ROOT / "tests" / "benchmarks" / "bench_federation_sharing.py"
    if args.skip_sharing or not script.exists():
        return "(a) skipped" if script.exists() else "(a) bench_federation_sharing.py not found"
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": os.environ.get("SHARING_DATABASE_URL", DEFAULT_SHARING_DB)}
    result = subprocess.run([PYTHON, str(script)], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    print(result.stdout[-4000:], result.stderr[-2000:], flush=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return "\n".join(lines[-12:]) if lines else f"(a) failed: exit {result.returncode}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inboxes", type=int, default=1000)
    parser.add_argument("--inbound", type=int, default=1000)
    parser.add_argument("--inbound-old", type=int, default=200,
                        help="activities for the one-by-one path (0: skip it)")
    parser.add_argument("--skip-fan-out", action="store_true")
    parser.add_argument("--skip-sharing", action="store_true")
    parser.add_argument("--skip-setup", action="store_true",
                        help="reuse the database as it is (no drop, no migrate)")
    parser.add_argument("--profile", action="store_true", help="print cProfile top 30")
    parser.add_argument("--served", type=int, default=1000,
                        help="activities for the served pipeline, gunicorn + run_worker "
                             "at once (0: skip it)")
    parser.add_argument("--web-workers", type=int, default=2, help="as in the Procfile")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--conn-max-age", type=int, default=600,
                        help="DATABASE_CONN_MAX_AGE of the served processes (production "
                             "default: 0, a new connection per request)")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
           "DJANGO_DEBUG": "0", "PYTHONPATH": str(ROOT)}
    sharing = run_sharing_benchmark(args)
    if not args.skip_setup:
        recreate_database(url, env)
        sh(PYTHON, "manage.py", "migrate", "-v0", env=env)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                                            "DJANGO_DEBUG")})
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    logging.getLogger("federation").setLevel(logging.WARNING)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    fan_out = None if args.skip_fan_out else bench_fan_out(inboxes=args.inboxes)
    inbound = bench_inbound(count=args.inbound)
    direct = bench_inbound(count=args.inbound, http=False)
    inbound_old = bench_inbound(count=args.inbound_old, bulk=False) if args.inbound_old else None
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    served = bench_inbound_served(count=args.served, web_workers=args.web_workers,
                                  clients=args.clients, port=args.port,
                                  conn_max_age=args.conn_max_age) if args.served else None

    from django.db import connection

    print()
    print(f"database: {connection.vendor}  (one worker = this process; receiver on loopback)")
    summary = next((line for line in reversed(sharing.splitlines())
                    if line.startswith("(a)")), sharing.splitlines()[-1] if sharing else "")
    print("| benchmark | result | target |")
    print("| --- | --- | --- |")
    print(f"| (a) one publish shared with 50 communes, one worker | {summary[4:]} | p95 < 2 s |")
    if fan_out is not None:
        print(f"| (b) fan-out to {fan_out['inboxes']} inboxes | "
              f"{fan_out['per_second']:.0f} deliveries/s ({fan_out['delivered']} delivered in "
              f"{fan_out['fan_out_s'] + fan_out['send_s']:.2f} s; fan-out "
              f"{fan_out['fan_out_s'] * 1000:.0f} ms), peak RSS {fan_out['peak_rss_mb']:.0f} MB "
              f"(before {fan_out['rss_before_mb']:.0f} MB) | >= {TARGET_PER_SECOND}/s |")
    print(f"| (c) inbound | {_inbound_line(inbound)} | >= {TARGET_PER_SECOND}/s |")
    print(f"| (c) verified and applied by one process | {_direct_line(direct)} | "
          f">= {TARGET_PER_SECOND}/s |")
    if inbound_old is not None:
        ratio = inbound["apply_per_second"] / inbound_old["apply_per_second"]
        print(f"| (c) before: the same mix | {_inbound_line(inbound_old)} | batch / one by one: "
              f"**x{ratio:.1f}** |")
    if served is not None:
        print(f"| (c) served: gunicorn and one worker at once | {_served_line(served)} | "
              f">= {TARGET_PER_SECOND}/s |")
    ok = min(inbound["apply_per_second"], direct["per_second"]) >= TARGET_PER_SECOND and (
        fan_out is None or fan_out["per_second"] >= TARGET_PER_SECOND)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

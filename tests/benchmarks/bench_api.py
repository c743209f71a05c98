"""Benchmark of the public API against Wagtail's stock pages API and a trivial view.

    make bench-api                       # seed 200 x 1,000 on PostgreSQL, then measure
    make bench-api ARGS="--skip-seed"    # measure an already seeded database
    CLOCHER_API_MICROCACHE_SECONDS=0 make bench-api ARGS="--skip-seed"   # no micro-cache

Seeds with `seed_demo --communes N --pages-per-commune M` on a fresh database named by
DATABASE_URL (default postgres://clocher:clocher@127.0.0.1:5432/clocher_bench_api), runs
`rebuild_api_items` (the bulk seeder fires no signals), serves the project with gunicorn
and loads it with wrk from a second process on loopback. Prints one table and the ratios
against the targets of issue 3.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
LUA = Path(__file__).with_name("bench_api_stats.lua")
DEFAULT_DB = "postgres://clocher:clocher@127.0.0.1:5432/clocher_bench_api"


def sh(*args, env, **kwargs):
    print("$", " ".join(args), flush=True)
    return subprocess.run(args, env=env, check=True, cwd=ROOT, **kwargs)


def recreate_database(url: str, env) -> None:
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        sh("psql", admin, "-q", "-c", statement, env=env)


def fetch(url: str, host: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(  # noqa: S310 (http on loopback only)
        url, headers={"Host": host, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(url: str, *, connections: int, seconds: int, headers: dict) -> dict:
    args = ["wrk", f"-t{min(connections, 4)}", f"-c{connections}", f"-d{seconds}s",
            "--timeout", "10s", "-s", str(LUA)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def median_cell(cells: list[dict]) -> dict:
    """The round with the median throughput (its latencies belong to the same run)."""
    ordered = sorted(cells, key=lambda cell: cell["rps"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["errors"] = sum(cell["errors"] for cell in cells)
    chosen["non_2xx_3xx"] = sum(cell["non_2xx_3xx"] for cell in cells)
    return chosen


def pick_targets(env) -> dict:
    """Ids and hostnames the scenarios need, read through Django."""
    script = (
        "import json, django; django.setup();"
        "from django.db.models import Count;"
        "from cms.readmodel.models import PublishedItem;"
        "from cms.communes.models import CommuneHomePage;"
        "from wagtail.models import Site;"
        "from cms.communes.selectors import commune_neighbours, commune_list;"
        "best = max(commune_list()[:200], key=lambda c: len(commune_neighbours(commune=c)));"
        "site = Site.objects.get(root_page=best);"
        "event = PublishedItem.objects.filter(kind='event', commune=best)"
        ".order_by('-start').first();"
        "print(json.dumps({'insee': best.insee_code, 'commune_id': best.pk,"
        " 'neighbours': len(commune_neighbours(commune=best)),"
        " 'host': site.hostname, 'port': site.port, 'event_id': event.pk,"
        " 'items': PublishedItem.objects.count()}))"
    )
    output = subprocess.run([PYTHON, "-c", script], env=env, check=True, cwd=ROOT,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--pages-per-commune", type=int, default=1000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds; each cell is the median round")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        # The load comes from one IP: the anonymous limit would measure 429s.
        "CLOCHER_API_ANON_RATE_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        # Production refuses to start without it; any valid Fernet key does here.
        "FEDERATION_KEY_SECRET": os.environ.get(
            "FEDERATION_KEY_SECRET", "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE="),
    }
    if not args.skip_seed:
        started = time.monotonic()
        recreate_database(env["DATABASE_URL"], env)
        sh(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
        sh(PYTHON, "manage.py", "seed_demo", "--communes", str(args.communes),
           "--pages-per-commune", str(args.pages_per_commune), env=env)
        sh(PYTHON, "manage.py", "rebuild_api_items", env=env)
        print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)

    targets = pick_targets(env)
    print("targets:", targets, flush=True)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "cms.wsgi:application", "-w",
         str(args.workers), "-b", f"127.0.0.1:{args.port}", "--log-level", "warning",
         "--backlog", "2048"],
        env=env, cwd=ROOT, start_new_session=True)
    try:
        for _attempt in range(100):
            try:
                if fetch(f"{base}/api/_ping", "127.0.0.1")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        host = targets["host"]
        host_header = f"{host}:{targets['port']}" if targets["port"] not in (80, 443) else host
        detail = f"{base}/api/events/{targets['event_id']}"
        status, headers, _body = fetch(detail, host)
        assert status == 200, status
        etag = headers["ETag"]
        assert fetch(detail, host, {"If-None-Match": etag})[0] == 304
        scenarios = [
            ("(a) events around + upcoming", f"{base}/api/events?around={targets['insee']}",
             {}, host),
            ("(b) item detail", detail, {}, host),
            ("(c) conditional detail (304)", detail, {"If-None-Match": etag}, host),
            ("(d) Wagtail /api/v2/pages/ events",
             f"{base}/api/v2/pages/?type=content.EventPage&descendant_of="
             f"{targets['commune_id']}&order=-id&fields=start,end,venue_name&limit=20",
             {}, host_header),
            ("(e) trivial JSON view (floor)", f"{base}/api/_ping", {}, host),
        ]
        for name, url, extra, scenario_host in scenarios:
            status, _headers, body = fetch(url, scenario_host, extra)
            assert status in (200, 304), (name, status, body[:300])
        # Interleaved rounds: every scenario is measured once per round, so a slow spell
        # of the machine hits all of them alike; each cell is the median round.
        rounds: dict = {}
        for round_number in range(args.rounds):
            for name, url, extra, scenario_host in scenarios:
                for connections in (1, 16):
                    wrk(url, connections=connections, seconds=1,  # warm-up
                        headers={"Host": scenario_host, **extra})
                    cell = wrk(url, connections=connections, seconds=args.seconds,
                               headers={"Host": scenario_host, **extra})
                    rounds.setdefault((name, connections), []).append(cell)
                    print(f"round {round_number + 1}", name, connections, cell, flush=True)
        results = {key: median_cell(cells) for key, cells in rounds.items()}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)

    print(f"\n{targets['items']:,} API items; neighbourhood of {targets['insee']} = "
          f"{targets['neighbours'] + 1} communes; gunicorn {args.workers} sync workers; "
          f"median of {args.rounds} interleaved rounds of wrk {args.seconds} s; "
          f"CLOCHER_API_MICROCACHE_SECONDS="
          f"{env.get('CLOCHER_API_MICROCACHE_SECONDS') or '1 (default)'}\n")
    header = (f"| {'scenario':<36} | {'req/s @1':>9} | {'p50':>6} | {'p95':>6} | {'p99':>6} "
              f"| {'req/s @16':>9} | {'p50':>6} | {'p95':>6} | {'p99':>6} |")
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for name, *_rest in scenarios:
        one, many = results[name, 1], results[name, 16]
        print(f"| {name:<36} | {one['rps']:>9.0f} | {one['p50_ms']:>6.2f} | "
              f"{one['p95_ms']:>6.2f} | {one['p99_ms']:>6.2f} | {many['rps']:>9.0f} | "
              f"{many['p50_ms']:>6.2f} | {many['p95_ms']:>6.2f} | {many['p99_ms']:>6.2f} |")
    print("\n(latencies in ms)\n")
    names = [name for name, *_rest in scenarios]
    a, b, c, d, e = names

    def ratio(x, y, connections):
        # Median of the per-round ratios: both sides were measured back to back.
        return statistics.median(
            one["rps"] / other["rps"]
            for one, other in zip(rounds[x, connections], rounds[y, connections], strict=True))

    for label, x, y, target in [("(a)/(d)", a, d, 3.0), ("(b)/(e)", b, e, 0.5),
                                ("(c)/(e)", c, e, 0.8)]:
        r1, r16 = ratio(x, y, 1), ratio(x, y, 16)
        verdict = "ok" if min(r1, r16) >= target else "MISSED"
        print(f"{label}: {r1:.2f} @1, {r16:.2f} @16 (target >= {target}) {verdict}")
    p95 = results[a, 16]["p95_ms"]
    print(f"p95 of (a) @16: {p95:.1f} ms (target < 50) {'ok' if p95 < 50 else 'MISSED'}")
    errors = {key: value for key, value in results.items()
              if value["errors"] or value["non_2xx_3xx"]}
    if errors:
        print("errors:", errors)


if __name__ == "__main__":
    main()

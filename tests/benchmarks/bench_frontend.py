"""Benchmark of the resident site: TTFB and page weight under gunicorn on PostgreSQL.

    make bench-frontend                      # copy, migrate, measure
    make bench-frontend ARGS="--requests 300"

The seeded database `clocher_bench_api` (200 communes x 1,000 pages, shared with other
benchmarks) is only read: it is copied once with `CREATE DATABASE ... TEMPLATE` into
`clocher_bench_frontend`, which is migrated to the current code (the copy may be older
than the code) and may get search-index rows. Serves the project with gunicorn
(cms.settings.production), then, for each page: sequential GETs on one keep-alive
connection, time to first byte p50/p95; and the weight of the page's HTML plus the CSS and
JS it links, gzip-compressed (level 6, what a reverse proxy sends), excluding images and
map tiles. Prints a Markdown table.
"""

import argparse
import gzip
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SOURCE_DB = "clocher_bench_api"
TARGET_DB = "clocher_bench_frontend"
SERVER = "postgres://clocher:clocher@127.0.0.1:5432"


def sh(*args, env, **kwargs):
    print("$", " ".join(args), flush=True)
    return subprocess.run(args, env=env, check=True, cwd=ROOT, **kwargs)


def database_exists(name: str, env) -> bool:
    output = subprocess.run(
        ["psql", f"{SERVER}/postgres", "-Atc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 (constant)
        env=env, check=True, capture_output=True, text=True).stdout
    return output.strip() == "1"


def prepare(env) -> None:
    if not database_exists(TARGET_DB, env):
        sh("psql", f"{SERVER}/postgres", "-c",
           f'CREATE DATABASE "{TARGET_DB}" TEMPLATE "{SOURCE_DB}"', env=env)
    sh(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
    sh(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)


def index_neighbourhood(env, insee: str) -> None:
    """Index the pages of the measured commune and its neighbours (what its search reads).

    Indexing all 200,000 pages through the database backend would take far longer than
    the measurement; the search scope of the page measured is this neighbourhood.
    """
    script = (
        "import django; django.setup();"
        "from django.db.models import Q;"
        "from wagtail.models import Page;"
        "from cms.communes.selectors import commune_get;"
        "from cms.content.selectors import neighbourhood_communes;"
        "from search.services import index_enqueue, outbox_drain;"
        f"communes = neighbourhood_communes(commune=commune_get(insee_code_or_slug='{insee}'));"
        "condition = Q(pk__in=[]);"
        "[condition := condition | Q(path__startswith=c.path) for c in communes];"
        "ids = list(Page.objects.filter(condition, depth__gt=3).live()"
        ".values_list('pk', flat=True));"
        "index_enqueue(page_ids=ids);"
        "print(len(ids), 'pages', outbox_drain(force=True))"
    )
    sh(PYTHON, "-c", script, env=env)


def pick_target(env) -> dict:
    script = (
        "import json, django; django.setup();"
        "from wagtail.models import Site;"
        "from cms.communes.selectors import commune_neighbours, commune_list;"
        "best = max(commune_list()[:200], key=lambda c: len(commune_neighbours(commune=c)));"
        "site = Site.objects.get(root_page=best);"
        "print(json.dumps({'insee': best.insee_code, 'host': site.hostname,"
        " 'port': site.port, 'neighbours': len(commune_neighbours(commune=best))}))"
    )
    output = subprocess.run([PYTHON, "-c", script], env=env, check=True, cwd=ROOT,
                            capture_output=True, text=True).stdout
    import json

    return json.loads(output.strip().splitlines()[-1])


def timed_get(connection, path: str, host: str) -> tuple[int, float, bytes, dict]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Host": host, "Accept-Encoding": "identity"})
    response = connection.getresponse()
    first_byte = response.fp.peek(1) if hasattr(response.fp, "peek") else b""
    ttfb = time.perf_counter() - started
    del first_byte
    body = response.read()
    return response.status, ttfb, body, dict(response.getheaders())


def assets_of(html: str) -> list[str]:
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    # Leaflet is loaded by clocher.js when the page has a map: count it (upper bound).
    leaflet = sorted(set(re.findall(r'data-leaflet-(?:js|css)="([^"]+)"', html)))
    return links + scripts + leaflet


def compressed(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--no-search-index", action="store_true")
    parser.add_argument("--page-cache-seconds", type=int, default=0,
                        help="CLOCHER_FRONTEND_CACHE_SECONDS for the server (0: off)")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{TARGET_DB}",
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "CLOCHER_FRONTEND_CACHE_SECONDS": str(args.page_cache_seconds),
        "FEDERATION_KEY_SECRET": os.environ.get(
            "FEDERATION_KEY_SECRET", "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE="),
    }
    prepare(env)
    target = pick_target(env)
    if not args.no_search_index:
        index_neighbourhood(env, target["insee"])
    print("target:", target, flush=True)
    host = target["host"] if target["port"] in (80, 443) else f"{target['host']}:{target['port']}"
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "cms.wsgi:application", "-w",
         str(args.workers), "-b", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True)
    pages = [
        ("commune home", "/"),
        ("agenda", "/agenda/"),
        ("search page", "/recherche/?q=" + urllib.parse.quote("marché") + "&commune="
         + target["insee"]),
    ]
    rows = []
    try:
        for _attempt in range(150):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                connection.request("GET", "/", headers={"Host": host})
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        for name, path in pages:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            status, _ttfb, body, _headers = timed_get(connection, path, host)
            assert status == 200, (name, status, body[:500])
            for _warm in range(10):
                timed_get(connection, path, host)
            samples = []
            for _ in range(args.requests):
                status, ttfb, _body, _headers = timed_get(connection, path, host)
                assert status == 200, (name, status)
                samples.append(ttfb * 1000)
            html = body.decode()
            asset_sizes = []
            for asset in assets_of(html):
                status, _t, asset_body, _h = timed_get(connection, asset, host)
                assert status == 200, (asset, status)
                asset_sizes.append((asset, len(asset_body), compressed(asset_body)))
            quantiles = statistics.quantiles(samples, n=100)
            rows.append({
                "name": name, "path": path, "p50": statistics.median(samples),
                "p95": quantiles[94], "html": len(body), "html_gz": compressed(body),
                "assets_gz": sum(size for _a, _r, size in asset_sizes),
                "assets": asset_sizes,
            })
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)

    print(f"\n{target['host']} ({target['neighbours']} neighbours); gunicorn "
          f"{args.workers} sync workers; {args.requests} sequential requests per page; "
          f"page cache {args.page_cache_seconds} s\n")
    print("| page | TTFB p50 | TTFB p95 | HTML (raw / gzip) | CSS+JS gzip | total gzip |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        total = row["html_gz"] + row["assets_gz"]
        print(f"| {row['name']} (`{row['path']}`) | {row['p50']:.1f} ms | {row['p95']:.1f} ms"
              f" | {row['html'] / 1024:.1f} KB / {row['html_gz'] / 1024:.1f} KB"
              f" | {row['assets_gz'] / 1024:.1f} KB | {total / 1024:.1f} KB |")
    print()
    for row in rows:
        for asset, raw, size in row["assets"]:
            print(f"  {row['name']}: {asset} {raw / 1024:.1f} KB raw, {size / 1024:.1f} KB gzip")


if __name__ == "__main__":
    main()

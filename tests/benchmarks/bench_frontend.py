"""Benchmark of the resident site: TTFB and page weight under gunicorn on PostgreSQL.

    make bench-frontend                      # copy, migrate, measure
    make bench-frontend ARGS="--requests 300 --page-cache-seconds 0"

The seeded database `clocher_bench_api` (200 communes x 1,000 pages, shared with other
benchmarks) is only read: it is copied once with `CREATE DATABASE ... TEMPLATE` into
`clocher_bench_frontend`, which is migrated to the current code (the copy may be older
than the code) and may get search-index rows. Serves the project with gunicorn
(cms.settings.production) twice, side by side: one server renders every request (page
cache off, CLOCHER_FRONTEND_CACHE_SECONDS=0: the headline figures), the other with the
page cache on (30 s); both are measured in the same run, in interleaved rounds (a round
sends a few requests of each page to each server), so that the load of the machine
weighs on both alike. For each page and server: sequential GETs on one keep-alive
connection, time to first byte p50/p95; and the weight of the page's HTML plus the CSS
and JS it links, gzip-compressed (level 6, what a reverse proxy sends), excluding images
and map tiles. Prints a Markdown table per server, and the queries of one render of
each page (django.test.utils.CaptureQueriesContext, in-process).
"""

import argparse
import gzip
import http.client
import json
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
        "from cms.readmodel.listings import neighbourhood_communes;"
        "from search.services import index_enqueue, outbox_drain;"
        f"communes = neighbourhood_communes(commune=commune_get(insee_code_or_slug='{insee}'));"
        "condition = Q(pk__in=[]);"
        "[condition := condition | Q(path__startswith=c.path) for c in communes];"
        "ids = list(Page.objects.filter(condition, depth__gt=3).live()"
        ".values_list('pk', flat=True));"
        "from search.backends import get_search_backend;"
        "done = set(ids) <= set(get_search_backend().document_versions());"
        # A copy indexed by an earlier run: indexing again would take minutes.
        "print(len(ids), 'pages', 'already indexed' if done else "
        "(index_enqueue(page_ids=ids), outbox_drain(force=True)))"
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


PAGE_CACHE_ON_SECONDS = 30


def query_counts(env, host: str, paths: list[str]) -> dict[str, tuple[int, float]]:
    """Queries of one render of each page, in-process (page cache off): count and time."""
    script = f"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(HTTP_HOST={host!r}), {{}}
for path in {paths!r}:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    counts[path] = (len(captured.captured_queries),
                    sum(float(query["time"]) for query in captured.captured_queries) * 1000)
print(json.dumps(counts))
"""
    output = subprocess.run([PYTHON, "-c", script], env=env, check=True, cwd=ROOT,
                            capture_output=True, text=True).stdout
    return {path: tuple(value) for path, value in
            json.loads(output.strip().splitlines()[-1]).items()}


def start_server(env, port: int, workers: int, cache_seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "cms.wsgi:application", "-w",
         str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env={**env, "CLOCHER_FRONTEND_CACHE_SECONDS": str(cache_seconds)}, cwd=ROOT,
        start_new_session=True)


def wait_ready(port: int, host: str) -> None:
    for _attempt in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/", headers={"Host": host})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per page and server")
    parser.add_argument("--rounds", type=int, default=10,
                        help="interleaved rounds the requests are spread over")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8775,
                        help="page cache off; the cached server listens on port + 1")
    parser.add_argument("--no-search-index", action="store_true")
    parser.add_argument("--search-backend", choices=["database", "opensearch"],
                        default="database",
                        help="opensearch: the node of `make opensearch-server` "
                             "(OPENSEARCH_URL, default http://127.0.0.1:9201), indices "
                             "prefixed CLOCHER_SEARCH_INDEX_PREFIX (default frontbench)")
    parser.add_argument("--page-cache-seconds", type=int, default=None,
                        help="measure only one server, with this CLOCHER_FRONTEND_CACHE_"
                             "SECONDS (0: off); default: both, off and "
                             f"{PAGE_CACHE_ON_SECONDS} s")
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
        "CLOCHER_FRONTEND_CACHE_SECONDS": "0",
        "FEDERATION_KEY_SECRET": os.environ.get(
            "FEDERATION_KEY_SECRET", "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE="),
    }
    if args.search_backend == "opensearch":
        env |= {"CLOCHER_SEARCH_BACKEND": "opensearch",
                "OPENSEARCH_URL": os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9201"),
                "CLOCHER_SEARCH_INDEX_PREFIX": os.environ.get("CLOCHER_SEARCH_INDEX_PREFIX",
                                                              "frontbench")}
    prepare(env)
    target = pick_target(env)
    if not args.no_search_index:
        index_neighbourhood(env, target["insee"])
    print("target:", target, flush=True)
    host = target["host"] if target["port"] in (80, 443) else f"{target['host']}:{target['port']}"
    pages = [
        ("commune home", "/"),
        ("agenda", "/agenda/"),
        ("search page", "/recherche/?q=" + urllib.parse.quote("marché") + "&commune="
         + target["insee"]),
    ]
    modes = ([args.page_cache_seconds] if args.page_cache_seconds is not None
             else [0, PAGE_CACHE_ON_SECONDS])
    ports = {seconds: args.port + index for index, seconds in enumerate(modes)}
    servers = {seconds: start_server(env, ports[seconds], args.workers, seconds)
               for seconds in modes}
    samples: dict[tuple[int, str], list[float]] = {(m, path): [] for m in modes
                                                   for _n, path in pages}
    bodies: dict[str, bytes] = {}
    assets: dict[str, list] = {}
    try:
        for seconds in modes:
            wait_ready(ports[seconds], host)
        connections = {seconds: http.client.HTTPConnection("127.0.0.1", ports[seconds],
                                                           timeout=30) for seconds in modes}
        for connection in connections.values():
            for name, path in pages:
                status, _ttfb, body, _headers = timed_get(connection, path, host)
                assert status == 200, (name, status, body[:500])
                bodies[path] = body
                for _warm in range(10):
                    timed_get(connection, path, host)
        per_round = max(1, args.requests // args.rounds)
        for _round in range(args.rounds):
            for _name, path in pages:
                for seconds, connection in connections.items():
                    for _ in range(per_round):
                        status, ttfb, _body, _headers = timed_get(connection, path, host)
                        assert status == 200, (path, status)
                        samples[(seconds, path)].append(ttfb * 1000)
        connection = connections[modes[0]]
        for _name, path in pages:
            assets[path] = []
            for asset in assets_of(bodies[path].decode()):
                status, _t, asset_body, _h = timed_get(connection, asset, host)
                assert status == 200, (asset, status)
                assets[path].append((asset, len(asset_body), compressed(asset_body)))
    finally:
        for server in servers.values():
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
    queries = query_counts(env, host, [path for _n, path in pages])

    print(f"\n{target['host']} ({target['neighbours']} neighbours); gunicorn "
          f"{args.workers} sync workers per server; {per_round * args.rounds} sequential "
          f"requests per page and server, in {args.rounds} interleaved rounds; "
          f"search backend {args.search_backend}; "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    for seconds in modes:
        label = "off" if seconds == 0 else f"{seconds} s"
        print(f"\nPage cache {label}:\n")
        print("| page | TTFB p50 | TTFB p95 | p99 / max | HTML (raw / gzip) | CSS+JS gzip "
              "| total gzip |" + (" queries (time) |" if seconds == 0 else ""))
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
              + (" ---: |" if seconds == 0 else ""))
        for name, path in pages:
            values = samples[(seconds, path)]
            percentiles = statistics.quantiles(values, n=100)
            p95, p99 = percentiles[94], percentiles[98]
            body = bodies[path]
            html_gz = compressed(body)
            assets_gz = sum(size for _a, _r, size in assets[path])
            count, sql_ms = queries.get(path, (0, 0.0))
            print(f"| {name} (`{path}`) | {statistics.median(values):.1f} ms | {p95:.1f} ms"
                  f" | {p99:.0f} / {max(values):.0f} ms"
                  f" | {len(body) / 1024:.1f} KB / {html_gz / 1024:.1f} KB"
                  f" | {assets_gz / 1024:.1f} KB | {(html_gz + assets_gz) / 1024:.1f} KB |"
                  + (f" {count} ({sql_ms:.0f} ms) |" if seconds == 0 else ""))
    print()
    for name, path in pages:
        for asset, raw, size in assets[path]:
            print(f"  {name}: {asset} {raw / 1024:.1f} KB raw, {size / 1024:.1f} KB gzip")


PHONE = {"width": 390, "height": 844}
# The --demo run's phone screenshots, before and after (<tree>-<page>.png).
SHOTS = ROOT / "var" / "bench-frontend"


def phone_transfer(url: str, screenshot: Path | None = None) -> dict:
    """Load `url` in Chromium at 390 px: bytes of every response by type, gzip-estimated
    for text (HTML, CSS, JS, SVG: what a reverse proxy sends), as served for images;
    a full-page screenshot to `screenshot` if given."""
    from playwright.sync_api import sync_playwright

    totals = {"html": 0, "css+js": 0, "images": 0, "other": 0, "requests": 0}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox"])
        page = browser.new_page(viewport=PHONE)
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(url, wait_until="load")
        if screenshot is not None:
            page.screenshot(path=screenshot, full_page=True)
        for response in responses:
            try:
                body = response.body()
            except Exception:  # noqa: BLE001, S112 (a redirect or an aborted request has none)
                continue
            kind = response.request.resource_type
            totals["requests"] += 1
            if kind == "document":
                totals["html"] += compressed(body)
            elif kind in ("stylesheet", "script"):
                totals["css+js"] += compressed(body)
            elif kind == "image":
                is_svg = "svg" in (response.headers.get("content-type") or "")
                totals["images"] += compressed(body) if is_svg else len(body)
            else:  # the manifest, the pictogram sprite (fetched by <use>)
                totals["other"] += compressed(body)
        browser.close()
    totals["total"] = (totals["html"] + totals["css+js"] + totals["images"]
                       + totals["other"])
    return totals


DEMO_IMAGES = """
import django, io, random; django.setup()
from django.core.files.images import ImageFile
from PIL import Image as PILImage, ImageDraw, ImageFilter
from wagtail.images import get_image_model
from wagtail.models import Site
from cms.communes.selectors import commune_get
from cms.content.models import EventPage, NewsPage
from cms.readmodel.listings import neighbourhood_communes
Image = get_image_model()

def photo(title, size, seed):
    if (found := Image.objects.filter(title=title).first()) is not None:
        return found
    rng = random.Random(seed)
    picture = PILImage.new("RGB", size, (rng.randrange(90, 200), rng.randrange(90, 200), 140))
    draw = ImageDraw.Draw(picture)
    for _ in range(60):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(20, size[0] // 4)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    picture = picture.filter(ImageFilter.GaussianBlur(3))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.jpg"))

donges = commune_get(insee_code_or_slug="donges")
communes = neighbourhood_communes(commune=donges)
for index, page in enumerate(list(EventPage.objects.live().filter(image=None)[:40])
                             + list(NewsPage.objects.live().filter(image=None)[:20])):
    page.image = photo(f"bench-photo-{index % 12}", (1600, 1000), index % 12)
    page.save(update_fields=["image"])
"""
DEMO_IDENTITY = """
import django; django.setup()
from wagtail.images import get_image_model
from wagtail.models import Site
from cms.communes.selectors import commune_get
from frontend.models import CommuneIdentity
Image = get_image_model()
site = Site.objects.get(root_page=commune_get(insee_code_or_slug="donges"))
CommuneIdentity.objects.update_or_create(site=site, defaults=dict(
    colour="#8a1538", cover=Image.objects.get(title="bench-photo-0"),
    logo=Image.objects.get(title="bench-photo-1"), welcome="Bienvenue à Donges.",
    town_hall_phone="02 40 45 79 79", opening_hours="Lundi–vendredi 8 h 30–12 h"))
"""


def demo_main(args) -> None:
    """Before and after side by side on the seeded demo (SQLite), in one run: the tree of
    `--before-tree` (e.g. the main branch's checkout, only read) and this one."""
    database = Path(args.demo).resolve()
    trees = {"before": Path(args.before_tree).resolve(), "after": ROOT}
    base_env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
                "DJANGO_SETTINGS_MODULE": "cms.settings.dev", "PYTHONDONTWRITEBYTECODE": "1",
                "MEDIA_ROOT": str(ROOT / "var" / "media"),
                "CLOCHER_FRONTEND_CACHE_SECONDS": "0", "CLOCHER_SITE_RATE_PER_MINUTE": "0"}
    port = args.port
    servers, ports = {}, {}
    for index, (label, tree) in enumerate(trees.items()):
        ports[label] = port + index
        servers[label] = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "cms.wsgi:application", "-w", "1",
             "-b", f"127.0.0.1:{ports[label]}", "--log-level", "warning",
             "--env", "DJANGO_SETTINGS_MODULE=cms.settings.dev"],
            env={**base_env, "PYTHONPATH": str(tree)}, cwd=tree, start_new_session=True)
    # The same pages with images for both trees; the identity (a table the code before
    # does not read) with a logo and a cover for the tree after.
    subprocess.run([PYTHON, "-c", DEMO_IMAGES], env={**base_env, "PYTHONPATH": str(ROOT)},
                   cwd=ROOT, check=True)
    subprocess.run([PYTHON, "-c", DEMO_IDENTITY], env={**base_env, "PYTHONPATH": str(ROOT)},
                   cwd=ROOT, check=True)
    host = "donges.localhost"
    script = ("import django, json; django.setup();"
              "from cms.content.models import AlertPage, EventPage;"
              "from cms.communes.selectors import commune_get;"
              "c = commune_get(insee_code_or_slug='donges');"
              "e = EventPage.objects.live().descendant_of(c).first();"
              "a = AlertPage.objects.live().descendant_of(c).first();"
              "print(json.dumps([e.url_path, a.url_path, c.url_path]))")
    found = subprocess.run([PYTHON, "-c", script], env={**base_env, "PYTHONPATH": str(ROOT)},
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout
    event_path, alert_path, home_path = json.loads(found.strip().splitlines()[-1])
    event_path = "/" + event_path[len(home_path):]
    alert_path = "/" + alert_path[len(home_path):]
    pages = [("commune home", "/"), ("agenda", "/agenda/"),
             ("search page", "/recherche/?q=" + urllib.parse.quote("marché")),
             ("event", event_path), ("alert", alert_path), ("directory", "/annuaire/")]
    results: dict = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for label in trees:
            wait_ready(ports[label], f"{host}:{ports[label]}")
        for label in trees:
            connection = http.client.HTTPConnection("127.0.0.1", ports[label], timeout=30)
            for name, path in pages:
                values = []
                for _ in range(args.requests // 10 or 1):
                    status, ttfb, _body, _headers = timed_get(
                        connection, path, f"{host}:{ports[label]}")
                    assert status == 200, (label, path, status)
                    values.append(ttfb * 1000)
                shot = SHOTS / f"{label}-{name.replace(' ', '-')}.png"
                weight = phone_transfer(f"http://{host}:{ports[label]}{path}", shot)
                results[(label, path)] = (statistics.median(values), max(values), weight)
    finally:
        for server in servers.values():
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
    print(f"\nSeeded demo ({database.name}), Donges; gunicorn 1 sync worker per tree, "
          f"cms.settings.dev; {args.requests // 10 or 1} sequential requests per page; "
          f"load average at the end {os.getloadavg()[0]:.1f}\n")
    print("| page | TTFB p50 before / after | transferred at 390 px before / after "
          "(HTML + CSS/JS + images + other) | requests before / after |")
    print("| --- | ---: | ---: | ---: |")
    for name, path in pages:
        before, after = results[("before", path)], results[("after", path)]
        print(f"| {name} | {before[0]:.1f} / {after[0]:.1f} ms"
              f" | {before[2]['total'] / 1024:.1f} KB / **{after[2]['total'] / 1024:.1f} KB**"
              f" ({after[2]['html'] / 1024:.1f} + {after[2]['css+js'] / 1024:.1f} + "
              f"{after[2]['images'] / 1024:.1f} + {after[2]['other'] / 1024:.1f})"
              f" | {before[2]['requests']} / {after[2]['requests']} |")


if __name__ == "__main__":
    if "--demo" in sys.argv:
        demo_parser = argparse.ArgumentParser(description=demo_main.__doc__)
        demo_parser.add_argument("--demo", required=True,
                                 help="the seeded SQLite database (make run: var/db.sqlite3)")
        demo_parser.add_argument("--before-tree", required=True,
                                 help="a checkout of the code before the change")
        demo_parser.add_argument("--requests", type=int, default=200)
        demo_parser.add_argument("--port", type=int, default=8785)
        demo_main(demo_parser.parse_args())
    else:
        main()

"""Benchmark `seed_demo --communes N --pages-per-commune M` on a fresh PostgreSQL database.

    DATABASE_URL=postgres://clocher:clocher@127.0.0.1:5432/clocher_bench \\
        .venv/bin/python tests/benchmarks/bench_seed.py [--runs 20x1000,200x1000]

For each run: drop and create the database named in DATABASE_URL (the role needs
CREATEDB), migrate, time `seed_demo` as a subprocess (wall clock: official data
import, commune creation and the bulk insert), then check the tree with SQL (the
same checks as treebeard's find_problems, in one query each instead of one per
page) and render one generated page of each type. Prints one table row per run;
the smaller run beside the big one shows how the time scales.

Not collected by pytest (tests/benchmarks is in norecursedirs): timing targets live
here, not in the test suite.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

CHECK_TREE = """
import json
from django.db import connection
from django.test import Client
from wagtail.models import Page
from cms.content.models import AlertPage, DirectoryEntryPage, EventPage, InfoPage, NewsPage

queries = {
    # A page whose parent path is not a page (treebeard's "orphans").
    "orphans": '''SELECT count(*) FROM wagtailcore_page c WHERE c.depth > 1 AND NOT EXISTS (
        SELECT 1 FROM wagtailcore_page p WHERE p.path = substr(c.path, 1, length(c.path) - 4))''',
    "wrong_depth": "SELECT count(*) FROM wagtailcore_page WHERE depth * 4 != length(path)",
    "wrong_numchild": '''SELECT count(*) FROM wagtailcore_page p LEFT JOIN (
        SELECT substr(path, 1, length(path) - 4) AS parent, count(*) AS n
        FROM wagtailcore_page WHERE depth > 1 GROUP BY 1) c ON c.parent = p.path
        WHERE p.numchild != coalesce(c.n, 0)''',
    "wrong_url_path": '''SELECT count(*) FROM wagtailcore_page c JOIN wagtailcore_page p
        ON p.path = substr(c.path, 1, length(c.path) - 4)
        WHERE c.depth > 2 AND c.url_path != p.url_path || c.slug || '/' ''',
}
result = {}
with connection.cursor() as cursor:
    for name, query in queries.items():
        cursor.execute(query)
        result[name] = cursor.fetchone()[0]
client = Client()
for model in (NewsPage, EventPage, AlertPage, InfoPage, DirectoryEntryPage):
    page = model.objects.order_by("-pk").first()
    response = client.get(page.get_url(), HTTP_HOST=page.get_site().hostname)
    result[f"GET {model.__name__}"] = response.status_code
result["pages"] = Page.objects.count()
print(json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="20x1000,200x1000",
                        help="Comma-separated COMMUNESxPAGES runs (default: %(default)s).")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. "
                 "postgres://clocher:clocher@127.0.0.1:5432/clocher_bench")
    runs = [tuple(int(n) for n in run.split("x")) for run in args.runs.split(",")]
    rows = []
    for communes, pages in runs:
        print(f"--- {communes} communes × {pages} pages", flush=True)
        database_recreate(url)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
               "DJANGO_DEBUG": "false", "LOG_LEVEL": "WARNING"}
        run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env=env)
        started = time.monotonic()
        output = run([PYTHON, "manage.py", "seed_demo", "--communes", str(communes),
                      "--pages-per-commune", str(pages)], env=env, echo=True)
        seconds = time.monotonic() - started
        inserted = int(re.search(r"Pages: ([\d,]+) inserted in ([\d.]+) s", output)
                       .group(1).replace(",", ""))
        bulk_seconds = float(re.search(r"inserted in ([\d.]+) s", output).group(1))
        check = run([PYTHON, "manage.py", "shell", "-c", CHECK_TREE], env=env).strip()
        print(f"    checks: {check.splitlines()[-1]}", flush=True)
        rows.append((communes, inserted, seconds, bulk_seconds, check.splitlines()[-1]))

    print()
    print("| communes | pages | seed_demo (s) | pages/s | bulk insert only (s) |")
    print("|---------:|------:|--------------:|--------:|---------------------:|")
    for communes, inserted, seconds, bulk_seconds, _check in rows:
        print(f"| {communes} | {inserted:,} | {seconds:.1f} | {inserted / seconds:,.0f} | "
              f"{bulk_seconds:.1f} |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"\n{last[1] / first[1]:.1f}× the pages took {last[2] / first[2]:.1f}× the time.")


def database_recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run(command: list[str], *, env: dict, echo: bool = False) -> str:
    process = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                             check=False)
    if echo:
        print("    " + process.stdout.strip().replace("\n", "\n    "), flush=True)
    if process.returncode:
        sys.exit(f"{' '.join(command[:4])} failed:\n{process.stdout}\n{process.stderr}")
    return process.stdout


if __name__ == "__main__":
    main()

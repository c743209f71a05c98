"""Live instances of the project on loopback, for the two-instance tests: each is a
runserver and a run_worker on its own SQLite database, driven through manage.py."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    def __init__(self, name: str, tmp: Path, port: int, peers: list[str],
                 settings: str = "cms.settings.dev"):
        self.name, self.port = name, port
        self.db = tmp / f"{name}.sqlite3"
        self.log = tmp / f"{name}.log"
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": f"e2e-{name}-secret",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "FEDERATION_BASE_URL": self.base,
            "WAGTAILADMIN_BASE_URL": self.base,
            "FEDERATION_ALLOWED_PRIVATE_PEERS": ",".join(peers),
            "FEDERATION_RETRY_BASE_SECONDS": "1",
            "FEDERATION_RETRY_MAX_SECONDS": "2",
            "FEDERATION_CIRCUIT_COOLDOWN_SECONDS": "2",
            "FEDERATION_DRAIN_INTERVAL": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self) -> None:
        log = self.log.open("a")
        self.processes = [
            subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", "--skip-checks",
                              f"127.0.0.1:{self.port}"], cwd=ROOT, env=self.env,
                             stdout=log, stderr=subprocess.STDOUT),
            subprocess.Popen([PYTHON, "manage.py", "run_worker", "--interval", "0.2"],
                             cwd=ROOT, env=self.env,
                             stdout=log, stderr=subprocess.STDOUT),
        ]
        wait_for(lambda: self.get("/nodeinfo/2.1") is not None, timeout=60,
                 what=f"{self.name} to start")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []

    def get(self, path: str):
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=5) as response:  # noqa: S310
                return json.loads(response.read())
        except OSError:
            return None

    def query(self, sql: str, *params):
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as connection:
            return connection.execute(sql, params).fetchall()


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def migrated_copy(instance: Instance, *, template: Path) -> None:
    """Give the instance a migrated database: the project's migrations (~40 s) run once
    per test process into `template`, and each instance starts from a copy; `migrate`
    then applies only what the instance's settings add (an extra app's migrations)."""
    if not template.exists():
        base = Instance("template", template.parent, 0, [])
        base.db = template
        base.env["DATABASE_URL"] = f"sqlite:///{template}"
        base.manage("migrate", "-v0", timeout=300)
    shutil.copy(template, instance.db)
    if instance.env["DJANGO_SETTINGS_MODULE"] != "cms.settings.dev":
        instance.manage("migrate", "-v0", timeout=300)


COMMUNE = """
from cms.communes.services import CommuneData, commune_upsert
commune_upsert(data=CommuneData(insee_code={insee!r}, name={name!r}, department_code="44",
    epci_code="244400644", latitude={lat}, longitude={lon}))
"""


def donges_and_montoir(tmp: Path, *, settings: str | None = None):
    """Two running instances: Donges on the first, Montoir-de-Bretagne on the second
    (a generator for a module fixture: yields them, stops them after)."""
    port1, port2 = free_port(), free_port()
    peers = [f"127.0.0.1:{port1}", f"127.0.0.1:{port2}"]
    extra = {"settings": settings} if settings else {}
    one = Instance("one", tmp, port1, peers, **extra)
    two = Instance("two", tmp, port2, peers, **extra)
    migrated_copy(one, template=tmp.parent / "migrated.sqlite3")
    shutil.copy(one.db, two.db)
    one.shell(COMMUNE.format(insee="44052", name="Donges", lat=47.318, lon=-2.075))
    two.shell(COMMUNE.format(insee="44103", name="Montoir-de-Bretagne", lat=47.33, lon=-2.151))
    one.start()
    two.start()
    yield one, two
    one.stop()
    two.stop()


def donges_follows_montoir(one: Instance, two: Instance) -> str:
    """Donges accepts at once what Montoir's server sends (remote content is otherwise
    held for review and shown nowhere: tests/publishing/test_audience.py), follows
    Montoir by its handle (WebFinger, then a signed Follow) and waits for the Accept.
    Returns Montoir's server (host:port)."""
    origin = f"127.0.0.1:{two.port}"
    one.shell("from cms.communes.models import CommuneHomePage\n"
              "from federation.activitypub.remote import follow_remote\n"
              "from federation.models import AcceptanceRule\n"
              "donges = CommuneHomePage.objects.get(slug='donges')\n"
              "AcceptanceRule.objects.create(receiver=donges, "
              f"source_server='{origin}', decision='accept')\n"
              f"follow_remote(commune=donges, handle_or_url='montoir-de-bretagne@{origin}')")
    wait_for(lambda: one.query("SELECT state FROM federation_follow") == [("accepted",)],
             timeout=30, what="Montoir's Accept on instance 1")
    return origin

"""Live instances of the project on loopback, for the two-instance tests: each is a
runserver and a run_worker on its own SQLite database, driven through manage.py."""

from __future__ import annotations

import json
import os
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


COMMUNE = """
from cms.communes.services import CommuneData, commune_upsert
commune_upsert(data=CommuneData(insee_code={insee!r}, name={name!r}, department_code="44",
    epci_code="244400644", latitude={lat}, longitude={lon}))
"""

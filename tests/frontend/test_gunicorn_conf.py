"""gunicorn.conf.py (named by the Procfile, and read from the repository root by
default): the application serves with it, and each worker freezes the objects of the
loaded application for the garbage collector."""

import gc
import http.client
import logging
import os
import re
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _in_collectors_sight(obj) -> bool:
    """Whether the collector still walks obj: gc.get_objects() lists generations 0-2,
    never the frozen (permanent) one. Counts would not do: a frozen object freed by
    its reference count leaves the frozen count, so it can fall between two reads."""
    return any(tracked is obj for tracked in gc.get_objects())


def test_workers_freeze_after_loading_and_after_their_first_request():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = SimpleNamespace(nr=0, log=logging.getLogger("test"))
    try:
        config["post_worker_init"](worker)
        assert gc.get_freeze_count() > 0
        built = [["built lazily"] for _ in range(1000)]
        assert _in_collectors_sight(built) and _in_collectors_sight(built[-1])
        worker.nr = 1
        config["post_request"](worker, None, {}, None)
        assert not _in_collectors_sight(built) and not _in_collectors_sight(built[-1])
        worker.nr, more = 2, [["later"] for _ in range(1000)]
        config["post_request"](worker, None, {}, None)
        assert _in_collectors_sight(more) and _in_collectors_sight(more[-1])  # only once
    finally:
        gc.unfreeze()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_application_serves_under_gunicorn_with_the_config(tmp_path):
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(ROOT)}
    env.pop("GUNICORN_CMD_ARGS", None)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        # No --config: gunicorn finds ./gunicorn.conf.py in its working directory.
        server = subprocess.Popen(
            [str(GUNICORN), "cms.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}",
             "--log-level", "info"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        status = None
        for _attempt in range(150):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/static/frontend/clocher.css")
                response = connection.getresponse()
                status, body = response.status, response.read()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, log.read_text()
        assert b"{" in body  # the stylesheet, served by the application (WhiteNoise)
    finally:
        server.terminate()
        server.wait(timeout=20)
    frozen = re.search(r"Garbage collector: (\d+) objects frozen", log.read_text())
    assert frozen and int(frozen.group(1)) > 100_000, log.read_text()  # Django is loaded

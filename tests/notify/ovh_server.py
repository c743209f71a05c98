"""A local server that speaks OVHcloud's SMS API as documented: GET /auth/time, and
POST /sms/{serviceName}/jobs checked like the real one (application and consumer keys,
the "$1$" SHA-1 signature over secret, consumer key, method, URL, body, timestamp; a
timestamp near its clock), answering {"ids", "validReceivers", "invalidReceivers",
"totalCreditsRemoved"}. Numbers it is told are invalid come back in invalidReceivers."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APPLICATION_KEY, APPLICATION_SECRET, CONSUMER_KEY = "ak-test", "as-test", "ck-test"
SERVICE = "sms-ab12345-1"


@dataclass
class OvhServer:
    server: ThreadingHTTPServer | None = None
    jobs: list[dict] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/1.0"

    def settings(self) -> dict:
        return {"ENDPOINT": self.endpoint, "APPLICATION_KEY": APPLICATION_KEY,
                "APPLICATION_SECRET": APPLICATION_SECRET, "CONSUMER_KEY": CONSUMER_KEY,
                "SERVICE_NAME": SERVICE, "SENDER": "MAIRIE"}

    def job(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        if self.down:
            return 503, {"message": "Service unavailable"}
        url = f"{self.endpoint}{path.removeprefix('/1.0')}"
        expected = "$1$" + hashlib.sha1("+".join([  # noqa: S324 - OVH's scheme
            APPLICATION_SECRET, CONSUMER_KEY, "POST", url, body.decode(),
            headers.get("x-ovh-timestamp", "")]).encode()).hexdigest()
        problems = []
        if headers.get("x-ovh-application") != APPLICATION_KEY:
            problems.append("application key")
        if headers.get("x-ovh-consumer") != CONSUMER_KEY:
            problems.append("consumer key")
        if headers.get("x-ovh-signature") != expected:
            problems.append("signature")
        if abs(int(headers.get("x-ovh-timestamp") or 0) - time.time()) > 180:
            problems.append("timestamp")
        if path != f"/1.0/sms/{SERVICE}/jobs":
            return 404, {"message": "This service does not exist"}
        if problems:
            with self.lock:
                self.rejected.append(", ".join(problems))
            return 403, {"message": "Invalid signature", "errorCode": "INVALID_SIGNATURE"}
        job = json.loads(body)
        if not job.get("message") or not isinstance(job.get("receivers"), list):
            return 400, {"message": "Invalid parameters"}
        valid = [n for n in job["receivers"] if n not in self.invalid]
        with self.lock:
            self.jobs.append(job)
        return 200, {"ids": list(range(1, len(valid) + 1)), "validReceivers": valid,
                     "invalidReceivers": [n for n in job["receivers"] if n in self.invalid],
                     "totalCreditsRemoved": len(valid), "tag": ""}


def ovh_server_start() -> OvhServer:
    ovh = OvhServer()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            if self.path == "/1.0/auth/time":
                self._answer(200, int(time.time()))
            else:
                self._answer(404, {"message": "Not found"})

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(*ovh.job(self.path, {k.lower(): v for k, v in self.headers.items()},
                                  body))

        def log_message(self, *args):
            pass

    ovh.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=ovh.server.serve_forever, daemon=True).start()
    return ovh

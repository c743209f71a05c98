"""A real GoToSocial server on loopback for the live interop test, and its client API.

The binary is built by scripts/interop-gotosocial.sh (`make test-interop`) under
var/gotosocial/; the server runs with SQLite in a temporary folder. GoToSocial 0.19
always does WebFinger over https, so Clocher is reached through a TLS terminator
(`TLSTerminator`, a self-signed certificate GoToSocial is told not to check).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]
VERSION = "v0.19.2"
BINARY = Path(os.environ.get("CLOCHER_GOTOSOCIAL_BIN",
                             ROOT / "var" / "gotosocial" / f"gotosocial-{VERSION}"))
WEB = BINARY.parent / f"web-{VERSION}"
PASSWORD = "Interop-Clocher-2026!x"  # noqa: S105 - a throwaway local account
OOB = "urn:ietf:wg:oauth:2.0:oob"

CONFIG = """\
host: "localhost:{port}"
protocol: "http"
bind-address: "127.0.0.1"
port: {port}
db-type: "sqlite"
db-address: "{folder}/gts.sqlite"
storage-local-base-path: "{folder}/storage"
web-template-base-dir: "{web}/template/"
web-asset-base-dir: "{web}/assets/"
letsencrypt-enabled: false
log-level: "info"
accounts-registration-open: false
instance-inject-mastodon-version: true
trusted-proxies: ["127.0.0.1/32"]
advanced-rate-limit-requests: 0
advanced-throttling-multiplier: 0
http-client:
  allow-ips: ["127.0.0.0/8"]
  tls-insecure-skip-verify: true
  timeout: "10s"
"""


class GoToSocial:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.base = f"http://localhost:{port}"
        self.config = folder / "config.yaml"
        self.log = folder / "gotosocial.log"
        self.process: subprocess.Popen | None = None
        self.token = ""

    def command(self, *args: str) -> None:
        result = subprocess.run([str(BINARY), "--config-path", str(self.config), *args],
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    def start(self) -> None:
        """Start the server; the first time, start it once to set itself up (users
        can only be created after that), stop it, create and confirm `alice`."""
        first = not self.config.exists()
        if first:
            (self.folder / "storage").mkdir(parents=True, exist_ok=True)
            self.config.write_text(CONFIG.format(port=self.port, folder=self.folder, web=WEB))
        self._run()
        if first:
            self.wait_ready()
            self.stop()
            self.command("admin", "account", "create", "--username", "alice",
                         "--email", "alice@example.org", "--password", PASSWORD)
            self.command("admin", "account", "confirm", "--username", "alice")
            self._run()

    def _run(self) -> None:
        self.process = subprocess.Popen(
            [str(BINARY), "--config-path", str(self.config), "server", "start"],
            stdout=self.log.open("a"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 300) -> None:
        # Its first start migrates its database: minutes on a loaded machine (CI runs
        # this beside the PostgreSQL pass).
        deadline = time.monotonic() + timeout
        while not self.ready():
            assert self.process is not None and self.process.poll() is None, \
                self.log.read_text()[-3000:]
            if time.monotonic() > deadline:
                self.stop()  # a server left running would outlive the test run
                raise AssertionError("GoToSocial did not start")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.base}/api/v1/instance", timeout=2).ok
        except requests.RequestException:
            return False

    def log_in(self) -> None:
        """The OAuth authorization-code flow a client app goes through, by hand."""
        app = requests.post(f"{self.base}/api/v1/apps", timeout=10, json={
            "client_name": "clocher-interop", "redirect_uris": OOB,
            "scopes": "read write follow"}).json()
        browser = requests.Session()
        authorize = (f"{self.base}/oauth/authorize?client_id={app['client_id']}"
                     f"&redirect_uri={OOB}&response_type=code&scope=read+write+follow")
        browser.get(authorize, timeout=10)
        browser.post(f"{self.base}/auth/sign_in", timeout=10,
                     data={"username": "alice@example.org", "password": PASSWORD})
        page = browser.post(authorize, timeout=10, allow_redirects=True)
        # The out-of-band page: /oauth/oob?code=…
        code = re.search(r"[?&]code=([A-Za-z0-9_\-]+)", page.url)
        assert code, f"no authorization code: {page.status_code} {page.url} {page.text[:500]}"
        token = requests.post(f"{self.base}/oauth/token", timeout=10, data={
            "grant_type": "authorization_code", "code": code.group(1),
            "client_id": app["client_id"], "client_secret": app["client_secret"],
            "redirect_uri": OOB}).json()
        self.token = token["access_token"]

    def api(self, method: str, path: str, **kwargs):
        response = requests.request(method, f"{self.base}{path}", timeout=30,
                                    headers={"Authorization": f"Bearer {self.token}"},
                                    **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} " \
                                           f"{response.text[:500]}"
        return response.json()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                       critical=False)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TLSTerminator:
    """https://localhost:<port> → http://127.0.0.1:<target> (bytes copied both ways)."""

    def __init__(self, folder: Path, port: int, target: int):
        cert, key = self_signed_certificate(folder)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.port, self.target = port, target
        self.listener = socket.create_server(("127.0.0.1", port))
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            secure = self.context.wrap_socket(client, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.target))
        except (OSError, ssl.SSLError):
            client.close()
            return

        def pump(source, sink):
            try:
                while chunk := source.recv(65536):
                    sink.sendall(chunk)
            except OSError:
                pass
            finally:
                for end in (source, sink):
                    with contextlib.suppress(OSError):
                        end.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(upstream, secure), daemon=True).start()
        pump(secure, upstream)

    def close(self) -> None:
        self.running = False
        self.listener.close()

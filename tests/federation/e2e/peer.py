"""A fake remote ActivityPub server on loopback, for tests that need a real peer.

It serves actor documents over real HTTP (our SSRF-safe client fetches them, with the
loopback peer explicitly allow-listed), records what it receives in its inbox and
verifies our signatures with the same code a Clocher peer uses.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from federation.activitypub.signatures import (
    SignatureError,
    SignedRequest,
    generate_key_pair,
    load_private_key,
    sign_request,
    verify_request,
)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class FakePeer:
    server: ThreadingHTTPServer
    documents: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)  # paths of the GETs it answered
    inbox_status: int = 202
    # Like GoToSocial, or Mastodon in "authorized fetch" mode: unsigned GETs get 401.
    signed_fetch_required: bool = False
    fetch_headers: list[dict[str, str]] = field(default_factory=list)  # of each GET
    inbox_headers: dict[str, str] = field(default_factory=dict)

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def base(self) -> str:
        return f"http://{self.netloc}"

    def serve_json(self, path: str, data: dict, status: int = 200) -> None:
        self.documents[path] = (status, {"Content-Type": "application/activity+json"},
                                json.dumps(data).encode())

    def serve_bytes(self, path: str, body: bytes, status: int = 200) -> None:
        self.documents[path] = (status, {"Content-Type": "application/activity+json"}, body)

    def redirect(self, path: str, location: str) -> None:
        self.documents[path] = (302, {"Location": location}, b"")

    def add_actor(self, name: str, *, actor_type: str = "Person", path: str = "",
                  key_suffix: str = "#main-key") -> RemoteTestActor:
        """An actor served at path; key_suffix "/main-key" gives GoToSocial's key ids."""
        private, public = generate_key_pair()
        path = path or f"/users/{name}"
        url = f"{self.base}{path}"
        actor = RemoteTestActor(peer=self, url=url, private_pem=private, public_pem=public,
                                key_suffix=key_suffix)
        self.serve_json(path, actor.document(actor_type=actor_type))
        return actor

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class RemoteTestActor:
    peer: FakePeer
    url: str
    private_pem: str
    public_pem: str
    key_suffix: str = "#main-key"

    @property
    def key_id(self) -> str:
        return f"{self.url}{self.key_suffix}"

    def document(self, *, actor_type: str = "Person") -> dict:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": self.url, "type": actor_type,
            "preferredUsername": self.url.rsplit("/", 1)[-1], "name": "Mairie de Test",
            "inbox": f"{self.url}/inbox", "outbox": f"{self.url}/outbox",
            "followers": f"{self.url}/followers",
            "endpoints": {"sharedInbox": f"{self.peer.base}/inbox"},
            "publicKey": {"id": self.key_id, "owner": self.url, "publicKeyPem": self.public_pem},
        }

    def sign(self, *, url: str, body: bytes, headers: dict | None = None) -> dict[str, str]:
        return sign_request(method="POST", url=url, body=body,
                            headers={"Content-Type": "application/activity+json",
                                     **(headers or {})},
                            key_id=self.key_id, private_key=load_private_key(self.private_pem))


def verify_received(received: Received, *, public_key_pem: str) -> bool:
    try:
        verify_request(SignedRequest(method="POST", path=received.path,
                                     headers=received.headers, body=received.body),
                       public_key_pem=public_key_pem)
    except SignatureError:
        return False
    return True


def start_peer() -> FakePeer:
    peer_holder: dict[str, FakePeer] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            peer = peer_holder["peer"]
            peer.fetched.append(self.path)
            peer.fetch_headers.append({k.lower(): v for k, v in self.headers.items()})
            status, headers, body = peer.documents.get(self.path.split("?")[0],
                                                       (404, {}, b"{}"))
            if peer.signed_fetch_required and "signature" not in peer.fetch_headers[-1]:
                status, headers, body = 401, {}, b'{"error":"unsigned"}'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            peer = peer_holder["peer"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            peer.received.append(Received(
                path=self.path, headers={k.lower(): v for k, v in self.headers.items()},
                body=body))
            self.send_response(peer.inbox_status)
            for name, value in peer.inbox_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    peer = FakePeer(server=server)
    peer_holder["peer"] = peer
    # shutdown() waits for the loop to look at its flag: every 0.5 s by default, which
    # was half a second at the end of every test using a peer.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01},
                     daemon=True).start()
    return peer

"""No lost updates: cut a real node off mid-stream, keep publishing, bring it back.

The node is the shared OpenSearch node, reached through a TCP relay this test owns:
"down" closes every connection and refuses new ones, which is what a stopped node is to
the client (a refused or dropped connection), without the ~30 s of stopping and
starting a JVM twice. Skipped with the reason when no OpenSearch node runs here.
"""

import contextlib
import os
import socket
import threading
import uuid
from urllib.parse import urlsplit

import pytest

from search.backends import get_search_backend
from search.maintenance import search_reconcile
from search.query import SearchRequest, search_run
from search.services import outbox_drain, outbox_pending
from tests.factories import make_news, publish

pytestmark = [pytest.mark.django_db, pytest.mark.search_engine]


class Relay:
    """Forwards loopback connections to the node until `down()`, again after `up()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.open, self.connections = target, True, []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                if not self.open:
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def down(self) -> None:
        with self.lock:
            self.open = False
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections = []

    def up(self) -> None:
        with self.lock:
            self.open = True

    def close(self) -> None:
        self.down()
        self.listener.close()


def titles() -> set[str]:
    return {hit.title for hit in search_run(request=SearchRequest(
        scope="all", page_size=100)).hits}


def test_the_index_converges_after_an_outage(settings, commune):
    if not os.environ.get("OPENSEARCH_URL"):
        pytest.skip("OPENSEARCH_URL is not set: this machine runs no OpenSearch node "
                    "(scripts/opensearch-server.sh start)")
    node = urlsplit(os.environ["OPENSEARCH_URL"])
    relay = Relay((node.hostname, node.port))
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.opensearch.OpenSearchSearchBackend",
                               "URL": relay.url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
                               "TIMEOUT": 5}
    backend = get_search_backend()
    try:
        pages = [make_news(commune, title=f"Avant panne {n}") for n in range(5)]
        assert outbox_drain(force=True).indexed == 5
        backend.refresh()
        assert titles() == {f"Avant panne {n}" for n in range(5)}

        relay.down()
        during = [make_news(commune, title=f"Pendant panne {n}") for n in range(5)]
        pages[0].unpublish()
        pages[1].title = "Avant panne 1 corrigé"
        publish(pages[1])
        report = outbox_drain()
        assert report.failed > 0 and report.indexed == 0
        pending = outbox_pending()
        assert pending >= len(during) + 2

        relay.up()
        report = outbox_drain(force=True)
        assert report.failed == 0 and report.remaining == 0
        backend.refresh()
        expected = ({f"Avant panne {n}" for n in (2, 3, 4)} | {"Avant panne 1 corrigé"}
                    | {page.title for page in during})
        assert titles() == expected
        reconcile = search_reconcile(repair=False)
        assert reconcile.missing == [] and reconcile.stale == []
    finally:
        try:
            relay.up()
            backend.reset()
        finally:
            relay.close()

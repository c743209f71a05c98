"""No lost updates: stop a real node mid-stream, keep publishing, start it again.

Runs on a dedicated OpenSearch node (port 9202, its own directory under var/) so the
shared nodes other tests use stay up; skipped with the reason when no OpenSearch
can be started here (OPENSEARCH_URL unset: no node install on this machine).
"""

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from search.backends import get_search_backend
from search.maintenance import search_reconcile
from search.query import SearchRequest, search_run
from search.services import outbox_drain, outbox_pending
from tests.factories import make_news, publish

pytestmark = [pytest.mark.django_db, pytest.mark.search_engine]

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "SEARCH_ENGINE": "opensearch", "SEARCH_PORT": "9202",
       "SEARCH_HOME": str(ROOT / "var" / "search-outage-test")}


def node(command: str) -> str:
    result = subprocess.run([str(ROOT / "scripts" / "opensearch-server.sh"), command],
                            env=ENV, capture_output=True, text=True, timeout=300, check=True)
    return result.stdout.strip()


def titles() -> set[str]:
    return {hit.title for hit in search_run(request=SearchRequest(
        scope="all", page_size=100)).hits}


def test_the_index_converges_after_an_outage(settings, commune):
    if not os.environ.get("OPENSEARCH_URL"):
        pytest.skip("OPENSEARCH_URL is not set: this machine runs no OpenSearch node "
                    "(scripts/opensearch-server.sh start)")
    url = node("start").partition("=")[2]
    settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.opensearch.OpenSearchSearchBackend",
                               "URL": url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
                               "TIMEOUT": 5}
    backend = get_search_backend()
    try:
        pages = [make_news(commune, title=f"Avant panne {n}") for n in range(5)]
        assert outbox_drain(force=True).indexed == 5
        backend.refresh()
        assert titles() == {f"Avant panne {n}" for n in range(5)}

        node("stop")
        during = [make_news(commune, title=f"Pendant panne {n}") for n in range(5)]
        pages[0].unpublish()
        pages[1].title = "Avant panne 1 corrigé"
        publish(pages[1])
        report = outbox_drain()
        assert report.failed > 0 and report.indexed == 0
        pending = outbox_pending()
        assert pending >= len(during) + 2

        node("start")
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
            backend.reset()
        finally:
            node("stop")

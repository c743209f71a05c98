"""Fixtures for search: a small cross-commune corpus and one backend per run."""

import datetime as dt
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from search.backends import backend_from_params, get_search_backend
from search.services import outbox_drain
from tests.factories import make_directory, make_event, make_news, publish


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Communes, neighbourhoods and category labels (query.py, per process) of a
    # rolled-back test must not leak into the next one.
    from django.core.cache import cache

    from search.query import communes_cache_clear

    cache.clear()
    communes_cache_clear()
    yield
    cache.clear()
    communes_cache_clear()


def drain() -> None:
    """Index what the outbox holds (tests run in a transaction: no on_commit)."""
    outbox_drain(force=True)
    get_search_backend().refresh()


@pytest.fixture
def corpus(commune, neighbour_commune, far_commune, culture):
    far = far_commune
    now = timezone.now()
    items = {
        "vide": make_event(commune, title="Vide-grenier de l'école",
                           start=now + dt.timedelta(days=2)),
        "brocante": make_event(neighbour_commune, title="Grande brocante du port",
                               start=now + dt.timedelta(days=5)),
        "past": make_event(commune, title="Vide-grenier d'hiver",
                           start=now - dt.timedelta(days=30)),
        "dechet": make_directory(commune, title="Déchèterie de Donges"),
        "foot": make_directory(neighbour_commune, title="Club de football de Montoir"),
        "marche": make_news(commune, title="Le marché des producteurs revient"),
        "far": make_news(far, title="Marché de nuit très loin"),
    }
    items["vide"].categories.set([culture])
    publish(items["vide"])
    drain()
    return items


def engine_params(flavour: str) -> dict:
    """Backend settings for a real node, or a skip naming what is missing."""
    variable = {"elasticsearch": "ELASTICSEARCH_URL", "opensearch": "OPENSEARCH_URL"}[flavour]
    url = os.environ.get(variable)
    if not url:
        script = "search-server.sh" if flavour == "elasticsearch" else "opensearch-server.sh"
        pytest.skip(f"{variable} is not set: start a node with `export \"$(scripts/{script} "
                    f"start)\"` to run the {flavour} integration tests")
    backend = {"elasticsearch": "search.backends.elasticsearch.ElasticsearchSearchBackend",
               "opensearch": "search.backends.opensearch.OpenSearchSearchBackend"}[flavour]
    return {"BACKEND": backend, "URL": url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:10]}",
            "TIMEOUT": 10}


class IndexPool:
    """Index sets made ahead, on one thread, for the engine tests.

    Creating a set (one index and alias per language) takes the node ~0.5 s, a third of
    an engine test's time; made while the previous test runs, it costs the test nothing.
    Each test still gets indices of its own under a new prefix, deleted after it (on the
    same thread), so no document, tombstone or setting passes from one test to the next.
    """

    def __init__(self, flavour: str):
        self.flavour = flavour
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"pool-{flavour}")
        self.next = self.thread.submit(self._make)

    def _make(self) -> dict:
        params = engine_params(self.flavour)
        backend_from_params(params).ensure_indices()
        return params

    def take(self) -> dict:
        params = self.next.result(timeout=120)
        self.next = self.thread.submit(self._make)
        return params

    def give_back(self, params: dict) -> None:
        self.thread.submit(backend_from_params(params).reset)

    def close(self) -> None:
        self.give_back(self.next.result(timeout=120))
        self.thread.shutdown(wait=True)


@pytest.fixture(scope="session")
def index_pools():
    pools: dict[str, IndexPool] = {}
    yield pools
    for pool in pools.values():
        pool.close()


@pytest.fixture
def engine_backend(settings, request, index_pools):
    engine_params(request.param)  # skips, saying why, when the node is not configured
    pool = index_pools.get(request.param) or index_pools.setdefault(
        request.param, IndexPool(request.param))
    params = pool.take()
    settings.CLOCHER_SEARCH = params
    yield get_search_backend()
    pool.give_back(params)

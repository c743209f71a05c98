"""Fixtures for search: a small cross-commune corpus and one backend per run."""

import datetime as dt
import os
import uuid

import pytest
from django.utils import timezone

from search.backends import get_search_backend
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


@pytest.fixture
def engine_backend(settings, request):
    settings.CLOCHER_SEARCH = engine_params(request.param)
    backend = get_search_backend()
    backend.reset()
    yield backend
    backend.reset()

"""Relevance must not regress: nDCG@10 and MRR of the judged queries over the demo.

Over the realistic demo (seed_demo, seeded once for the tests that ask for it:
tests/demo.py), rebuilds each backend's index and scores
tests/search/relevance/queries.py with ranx. Engine figures (Elasticsearch, OpenSearch)
are checked against relevance/baseline.json; a missing node is a skip
with the reason. The database backend's figures are printed (they differ between
SQLite and PostgreSQL, so they are not a gate).
"""

import json
import os
import uuid
from pathlib import Path

import pytest
from django.test.utils import override_settings

from search.backends import get_search_backend
from search.maintenance import search_rebuild
from search.relevance import relevance_evaluate

from .relevance.queries import QUERIES

pytestmark = [pytest.mark.django_db, pytest.mark.search_engine]

BASELINE = json.loads((Path(__file__).parent / "relevance" / "baseline.json").read_text())
ENGINES = {
    "opensearch": ("OPENSEARCH_URL", "search.backends.opensearch.OpenSearchSearchBackend"),
    "elasticsearch": ("ELASTICSEARCH_URL",
                      "search.backends.elasticsearch.ElasticsearchSearchBackend"),
}


def test_judged_query_set_is_big_and_graded():
    intents = {intent for intent, _text, _judgments in QUERIES}
    assert len(QUERIES) >= 60
    assert {"typo", "accents", "plural", "synonym", "commune", "date", "association"} <= intents
    assert all(set(j.values()) <= {1, 2, 3} for _i, _t, j in QUERIES)


AVAILABLE = {name: os.environ[variable] for name, (variable, _b) in ENGINES.items()
             if os.environ.get(variable)}


# A marker, not a skip inside the test: the demo is seeded before the test starts.
@pytest.mark.skipif(not AVAILABLE, reason="neither OPENSEARCH_URL nor ELASTICSEARCH_URL is "
                    "set: no search node to measure (scripts/opensearch-server.sh start)")
def test_relevance_does_not_fall_below_the_baseline(demo, capsys):
    figures, failures = {}, []
    tolerance = BASELINE["tolerance"]
    runs = [("database", {"BACKEND": "search.backends.database.DatabaseSearchBackend"})]
    runs += [(name, {"BACKEND": ENGINES[name][1], "URL": url,
                     "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
             for name, url in AVAILABLE.items()]
    for name, params in runs:
        with override_settings(CLOCHER_SEARCH=params):
            try:
                search_rebuild()
                report = relevance_evaluate(queries=QUERIES)
            finally:
                if name != "database":
                    get_search_backend().reset()
        figures[name] = {"ndcg@10": report.ndcg_at_10, "mrr": report.mrr}
        if name == "database":
            continue
        for metric, value in figures[name].items():
            if value < BASELINE[name][metric] - tolerance:
                failures.append(f"{name} {metric} {value:.4f} < baseline "
                                f"{BASELINE[name][metric]} - {tolerance}")
    with capsys.disabled():
        print(f"\nrelevance: {json.dumps(figures)}")
    assert not failures, failures

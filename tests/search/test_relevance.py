"""Relevance must not regress: nDCG@10 and MRR of the residents' development half.

Over the realistic demo (seed_demo, seeded once for the tests that ask for it:
tests/demo.py), rebuilds each backend's index and scores the development half of
tests/search/relevance/residents.py with ranx, query expansion on (the final
configuration). Engine figures (Elasticsearch, OpenSearch) are checked against
relevance/baseline.json; a missing node is a skip with the reason. The database
backend's figures are printed (they differ between SQLite and PostgreSQL, so they are
not a gate). The test half is never scored here: it is scored once, by hand
(docs/benchmarks/search-relevance.md).
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
from .relevance.residents import DEV, RESIDENT_QUERIES, TEST, split

pytestmark = [pytest.mark.django_db, pytest.mark.search_engine]

BASELINE = json.loads((Path(__file__).parent / "relevance" / "baseline.json").read_text())
ENGINES = {
    "opensearch": ("OPENSEARCH_URL", "search.backends.opensearch.OpenSearchSearchBackend"),
    "elasticsearch": ("ELASTICSEARCH_URL",
                      "search.backends.elasticsearch.ElasticsearchSearchBackend"),
}
INTENTS = {"colloquial", "need", "place", "typo-short", "typo-long", "season", "none",
           "plain", "date", "past"}
DEMO_COMMUNES = {"44052", "44103", "44210", "44176", "44013", "44168", "44137", "44195",
                 "44080", "44116"}


def test_judged_sets_are_big_graded_and_split():
    assert len(RESIDENT_QUERIES) >= 150
    assert {intent for intent, *_rest in RESIDENT_QUERIES} == INTENTS
    assert {commune for _i, commune, *_rest in RESIDENT_QUERIES} == DEMO_COMMUNES
    assert len({(commune, text) for _i, commune, text, _j in RESIDENT_QUERIES}) == len(
        RESIDENT_QUERIES)
    assert all(set(j.values()) <= {1, 2, 3} for *_rest, j in RESIDENT_QUERIES)
    assert all(set(j.values()) <= {1, 2, 3} for _i, _t, j in QUERIES)
    # Two halves, disjoint, each from most communes, stable row by row.
    assert len(DEV) + len(TEST) == len(RESIDENT_QUERIES) and min(len(DEV), len(TEST)) > 60
    assert len({row[1] for row in DEV}) == len({row[1] for row in TEST}) == 10
    assert all(split(row) == "dev" for row in DEV)


AVAILABLE = {name: os.environ[variable] for name, (variable, _b) in ENGINES.items()
             if os.environ.get(variable)}


# A marker, not a skip inside the test: the demo is seeded before the test starts.
@pytest.mark.skipif(not AVAILABLE, reason="neither OPENSEARCH_URL nor ELASTICSEARCH_URL is "
                    "set: no search node to measure (scripts/opensearch-server.sh start)")
def test_relevance_does_not_fall_below_the_baseline(demo, capsys, settings):
    from search.expansion import expansion_available, expansion_vocabulary_clear

    settings.CLOCHER_SEARCH_EXPANSION = True
    baseline = BASELINE["with_expansion" if expansion_available() else "without_expansion"]
    figures, failures = {}, []
    tolerance = BASELINE["tolerance"]
    runs = [("database", {"BACKEND": "search.backends.database.DatabaseSearchBackend"})]
    runs += [(name, {"BACKEND": ENGINES[name][1], "URL": url,
                     "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
             for name, url in AVAILABLE.items()]
    expansion_vocabulary_clear()  # the demo's words
    try:
        for name, params in runs:
            with override_settings(CLOCHER_SEARCH=params):
                try:
                    search_rebuild()
                    report = relevance_evaluate(queries=DEV)
                finally:
                    if name != "database":
                        get_search_backend().reset()
            figures[name] = {"ndcg@10": report.ndcg_at_10, "mrr": report.mrr}
            if name == "database":
                continue
            for metric, value in figures[name].items():
                if value < baseline[name][metric] - tolerance:
                    failures.append(f"{name} {metric} {value:.4f} < baseline "
                                    f"{baseline[name][metric]} - {tolerance}")
    finally:
        expansion_vocabulary_clear()
    with capsys.disabled():
        print(f"\nrelevance (residents' development half): {json.dumps(figures)}")
    assert not failures, failures

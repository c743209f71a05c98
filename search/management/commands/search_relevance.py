"""nDCG@10 and MRR of the judged queries on each available backend (ranx)."""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from search.maintenance import search_rebuild
from search.relevance import relevance_evaluate

BACKENDS = {
    "database": ({"BACKEND": "search.backends.database.DatabaseSearchBackend"}, None),
    "elasticsearch": ({"BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
                       "INDEX_PREFIX": "relevance-es"}, "ELASTICSEARCH_URL"),
    "opensearch": ({"BACKEND": "search.backends.opensearch.OpenSearchSearchBackend",
                    "INDEX_PREFIX": "relevance-os"}, "OPENSEARCH_URL"),
}


def backend_params(name: str) -> dict | None:
    params, variable = BACKENDS[name]
    if variable is None:
        return dict(params)
    url = os.environ.get(variable)
    return {**params, "URL": url} if url else None


class Command(BaseCommand):
    help = ("Relevance (nDCG@10, MRR) of tests/search/relevance/queries.py over the demo "
            "(seed_demo) for the database backend and every engine whose URL is set.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--backend", action="append", choices=list(BACKENDS))
        parser.add_argument("--per-query", action="store_true")
        parser.add_argument("--json", help="Write the figures to this file.")

    def handle(self, *, backend: list[str] | None, per_query: bool, json: str | None,
               **options) -> None:
        try:
            import ranx  # noqa: F401 (scores the runs: search/relevance.py)

            from tests.search.relevance.queries import QUERIES
        except ImportError as error:
            raise CommandError(
                "search_relevance is a developer tool: it needs a checkout with tests/ and "
                "the development dependencies (pip install -e '.[dev]')") from error

        figures = {}
        for name in backend or list(BACKENDS):
            params = backend_params(name)
            if params is None:
                self.stdout.write(f"{name}: skipped ({BACKENDS[name][1]} is not set)")
                continue
            with override_settings(CLOCHER_SEARCH=params):
                search_rebuild()
                report = relevance_evaluate(queries=QUERIES)
            figures[name] = {"ndcg@10": round(report.ndcg_at_10, 4),
                             "mrr": round(report.mrr, 4), "queries": report.queries}
            self.stdout.write(f"{name:14s} nDCG@10 {report.ndcg_at_10:.4f}  MRR "
                              f"{report.mrr:.4f}  ({report.queries} queries; skipped, no "
                              f"relevant page now: {report.skipped})")
            if per_query:
                for text, scores in sorted(report.per_query.items(),
                                           key=lambda kv: kv[1]["ndcg@10"]):
                    self.stdout.write(f"    {scores['ndcg@10']:.3f} {scores['mrr']:.3f}  {text}")
        if json:
            with open(json, "w", encoding="utf-8") as handle:
                handle.write(_dumps(figures))


def _dumps(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"

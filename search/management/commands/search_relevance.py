"""nDCG@10, MRR and recall@10 of a judged set on each available backend (ranx), and of a
plain BM25 on the same queries (`--bm25`)."""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from search.maintenance import search_rebuild
from search.relevance import bm25_evaluate, relevance_evaluate

SETS = ("dev", "test", "project")

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
        parser.add_argument(
            "--set", default="dev", choices=SETS,
            help="The residents' development half (default), their test half (score it "
                 "once, after all tuning), or the project's older Donges-only set.")
        parser.add_argument("--no-expansion", action="store_true",
                            help="Without the words near in meaning (CLOCHER_SEARCH_EXPANSION"
                                 " = False): what expansion adds.")
        parser.add_argument("--bm25", action="store_true",
                            help="Also score a plain BM25 baseline on the same queries.")

    def handle(self, *, backend: list[str] | None, per_query: bool, json: str | None,
               set: str, bm25: bool, no_expansion: bool, **options) -> None:
        with override_settings(CLOCHER_SEARCH_EXPANSION=not no_expansion):
            self._handle(backend=backend, per_query=per_query, json=json, set=set, bm25=bm25)

    def _handle(self, *, backend: list[str] | None, per_query: bool, json: str | None,
                set: str, bm25: bool) -> None:
        try:
            import ranx  # noqa: F401 (scores the runs: search/relevance.py)

            from tests.search.relevance import residents
            from tests.search.relevance.queries import QUERIES
        except ImportError as error:
            raise CommandError(
                "search_relevance is a developer tool: it needs a checkout with tests/ and "
                "the development dependencies (pip install -e '.[dev]')") from error

        queries = {"dev": residents.DEV, "test": residents.TEST, "project": QUERIES}[set]
        figures = {}
        if bm25:
            self._report("bm25", bm25_evaluate(queries=queries), figures, per_query)
        for name in backend or list(BACKENDS):
            params = backend_params(name)
            if params is None:
                self.stdout.write(f"{name}: skipped ({BACKENDS[name][1]} is not set)")
                continue
            with override_settings(CLOCHER_SEARCH=params):
                search_rebuild()
                report = relevance_evaluate(queries=queries)
            self._report(name, report, figures, per_query)
        if json:
            with open(json, "w", encoding="utf-8") as handle:
                handle.write(_dumps(figures))


    def _report(self, name, report, figures, per_query: bool) -> None:
        silence = "-" if report.silence is None else f"{report.silence:.2f}"
        figures[name] = {"ndcg@10": round(report.ndcg_at_10, 4), "mrr": round(report.mrr, 4),
                         "recall@10": round(report.recall_at_10, 4),
                         "queries": report.queries, "no_answer": report.no_answer,
                         "silence": report.silence,
                         "per_intent": {intent: {m: round(v, 4) for m, v in values.items()}
                                        for intent, values in report.per_intent.items()}}
        self.stdout.write(f"{name:14s} nDCG@10 {report.ndcg_at_10:.4f}  MRR {report.mrr:.4f}  "
                          f"recall@10 {report.recall_at_10:.4f}  ({report.queries} queries; "
                          f"{report.no_answer} with no answer, silent on {silence})")
        if per_query:
            for intent, values in sorted(report.per_intent.items()):
                self.stdout.write(f"    {intent:12s} nDCG@10 {values['ndcg@10']:.3f}")
            for text, scores in sorted(report.per_query.items(),
                                       key=lambda kv: kv[1]["ndcg@10"]):
                self.stdout.write(f"    {scores['ndcg@10']:.3f} {scores['mrr']:.3f}  {text}")


def _dumps(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"

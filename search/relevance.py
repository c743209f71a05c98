"""Relevance of the judged queries (tests/search/relevance/queries.py): nDCG@10, MRR.

Judgments are expanded against the live read model (page "<kind>/<slug>" in each
commune), runs come from `search_run` as a Donges resident would search; ranx scores
them. Used by `manage.py search_relevance` and the baseline test.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

from django.utils import timezone

from cms.communes.models import CommuneHomePage
from cms.readmodel.models import PublishedItem

from .query import SearchRequest, date_buckets, search_run

RESIDENT_COMMUNE = "44052"  # Donges, the demo's showcase commune
CUTOFF = 10


def _page_key(kind: str, url: str) -> str:
    slug = [part for part in urlparse(url).path.split("/") if part][-1]
    slug = slug.rsplit("-", 1)[0] if slug[-1:].isdigit() and "-" in slug else slug
    return f"{kind}/{slug}"


@dataclass
class RelevanceReport:
    ndcg_at_10: float
    mrr: float
    queries: int
    skipped: list[str]
    per_query: dict[str, dict[str, float]]


def _documents() -> dict[str, list[tuple[str, str, PublishedItem]]]:
    """page key → [(doc id, commune INSEE, item)]."""
    communes = dict(CommuneHomePage.objects.values_list("pk", "insee_code"))
    found: dict[str, list] = {}
    for item in PublishedItem.objects.filter(locale="fr").only(
            "pk", "kind", "url", "commune_id", "start", "end"):
        key = _page_key(item.kind, item.url)
        insee = communes.get(item.commune_id, "")
        found.setdefault(key, []).append((str(item.pk), insee, item))
        found.setdefault(f"{item.kind}/*", []).append((str(item.pk), insee, item))
    return found


def qrels_build(queries: list[tuple[str, str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    documents = _documents()
    now = timezone.now()
    buckets = date_buckets(now=now)
    # What the resident can get: the default scope, upcoming events only.
    scope = set(search_run(request=SearchRequest(commune=RESIDENT_COMMUNE,
                                                 page_size=1)).scope_communes or ())
    qrels: dict[str, dict[str, int]] = {}
    for _intent, text, judgments in queries:
        relevant: dict[str, int] = {}
        for rule, grade in judgments.items():
            rule, _, bucket = rule.partition("~")
            key, _, insee = rule.partition("@")
            for doc_id, commune, item in documents.get(key, []):
                if (insee and commune != insee) or commune not in scope:
                    continue
                if item.kind == "event" and (item.end or item.start) and (
                        item.end or item.start) < now:
                    continue
                if bucket:
                    start, end = buckets[bucket]
                    if not (item.start and item.start < end and (item.end or item.start) >= start):
                        continue
                relevant[doc_id] = max(grade, relevant.get(doc_id, 0))
        qrels[text] = relevant
    return qrels


def relevance_evaluate(*, queries: list[tuple[str, str, dict[str, int]]]) -> RelevanceReport:
    """Ask every query through the configured backend and score the top 10."""
    from ranx import Qrels, Run, evaluate

    qrels = qrels_build(queries)
    kept = {text: rel for text, rel in qrels.items() if rel}
    run: dict[str, dict[str, float]] = {}
    for text in kept:
        hits = search_run(request=SearchRequest(text=text, commune=RESIDENT_COMMUNE,
                                                page_size=CUTOFF)).hits
        # Scores from the rank: backends' scores are not comparable (nor always > 0).
        run[text] = {str(hit.id): float(CUTOFF - rank) for rank, hit in enumerate(hits)}
        if not run[text]:
            run[text] = {"none": 0.0}
    metrics = ["ndcg@10", "mrr"]
    ranked = Run(run)
    scores = evaluate(Qrels(kept), ranked, metrics)  # also keeps each query's in `ranked`
    per_query = {text: {metric: float(ranked.scores[metric][text]) for metric in metrics}
                 for text in kept}
    return RelevanceReport(
        ndcg_at_10=float(scores["ndcg@10"]), mrr=float(scores["mrr"]), queries=len(kept),
        skipped=sorted(set(qrels) - set(kept)), per_query=per_query)

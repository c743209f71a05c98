"""Relevance of judged queries over the demo: nDCG@10, MRR, recall@10 (ranx).

Two judged sets (tests/search/relevance/): `queries.py`, every query asked as a Donges
resident (rows of three), and `residents.py`, asked from every demo commune (rows of
four: intent, resident's INSEE code, query, judgments), graded per resident: the
resident's own commune's page as written, a neighbour's copy one grade lower. Judgments
are expanded against the live read model (page "<kind>/<slug>" in each commune of the
resident's default scope); runs come from `search_run` as the resident would search.

Queries no page answers ("none": an empty expansion) are not scored by ranx: their
figure is `silence`, the share of them that get no hit at all.

`bm25_evaluate` scores a plain BM25 (rank_bm25: title, summary and body, folded and
stripped of plurals by `search.text.words`, no synonyms, no typos) on the same queries,
over the same documents (the resident's scope, nothing that has ended): the baseline.
"""

from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.utils import timezone

from cms.communes.models import CommuneHomePage
from cms.readmodel.models import PublishedItem

from .query import SearchRequest, date_buckets, search_run

RESIDENT_COMMUNE = "44052"  # Donges, the demo's showcase commune: rows of three
CUTOFF = 10
METRICS = ["ndcg@10", "mrr", "recall@10"]
PAST = "past"  # the intent asked with include_past_events


def _page_key(kind: str, url: str) -> str:
    slug = [part for part in urlparse(url).path.split("/") if part][-1]
    slug = slug.rsplit("-", 1)[0] if slug[-1:].isdigit() and "-" in slug else slug
    return f"{kind}/{slug}"


@dataclass(frozen=True)
class JudgedQuery:
    key: str          # unique: "<resident>|<text>"
    intent: str
    commune: str
    text: str
    judgments: dict[str, int]

    @property
    def include_past(self) -> bool:
        return self.intent == PAST


def judged(rows: list[tuple]) -> list[JudgedQuery]:
    """Rows of either set as JudgedQuery."""
    found = []
    for row in rows:
        intent, commune, text, judgments = row if len(row) == 4 else (
            row[0], RESIDENT_COMMUNE, row[1], row[2])
        found.append(JudgedQuery(key=f"{commune}|{text}", intent=intent, commune=commune,
                                 text=text, judgments=judgments))
    return found


@dataclass
class RelevanceReport:
    ndcg_at_10: float
    mrr: float
    queries: int
    skipped: list[str]
    per_query: dict[str, dict[str, float]]
    recall_at_10: float = 0.0
    silence: float | None = None  # share of no-answer queries that got no hit
    no_answer: int = 0
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)


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


def _scope(commune: str) -> set[str]:
    return set(search_run(request=SearchRequest(commune=commune, page_size=1))
               .scope_communes or ())


def qrels_build(queries: list[JudgedQuery]) -> dict[str, dict[str, int]]:
    documents = _documents()
    now = timezone.now()
    buckets = date_buckets(now=now)
    scopes: dict[str, set[str]] = {}
    qrels: dict[str, dict[str, int]] = {}
    for query in queries:
        scope = scopes.get(query.commune)
        if scope is None:
            scope = scopes[query.commune] = _scope(query.commune)
        relevant: dict[str, int] = {}
        for rule, grade in query.judgments.items():
            rule, _, bucket = rule.partition("~")
            key, _, insee = rule.partition("@")
            for doc_id, commune, item in documents.get(key, []):
                if (insee and commune != insee) or commune not in scope:
                    continue
                ended = item.kind in ("event", "alert") and (item.end or item.start) and (
                    item.end or item.start) < now
                if ended and not query.include_past:
                    continue
                if bucket:
                    start, end = buckets[bucket]
                    if not (item.start and item.start < end and (item.end or item.start) >= start):
                        continue
                # The resident's own commune's page over a neighbour's copy.
                given = grade if insee or commune == query.commune else max(grade - 1, 1)
                relevant[doc_id] = max(given, relevant.get(doc_id, 0))
        qrels[query.key] = relevant
    return qrels


def _search(query: JudgedQuery) -> list[str]:
    hits = search_run(request=SearchRequest(
        text=query.text, commune=query.commune, page_size=CUTOFF,
        include_past_events=query.include_past)).hits
    return [str(hit.id) for hit in hits]


def _score(queries: list[JudgedQuery], qrels: dict[str, dict[str, int]],
           ranked: dict[str, list[str]]) -> RelevanceReport:
    from ranx import Qrels, Run, evaluate

    kept = {key: rel for key, rel in qrels.items() if rel}
    # Scores from the rank: backends' scores are not comparable (nor always > 0).
    run = {key: ({doc: float(CUTOFF - rank) for rank, doc in enumerate(ranked[key][:CUTOFF])}
                 or {"none": 0.0}) for key in kept}
    scored = Run(run)
    scores = evaluate(Qrels(kept), scored, METRICS) if kept else dict.fromkeys(METRICS, 0.0)
    per_query = {key: {metric: float(scored.scores[metric][key]) for metric in METRICS}
                 for key in kept}
    empty = [key for key, rel in qrels.items() if not rel]
    intents: dict[str, list[str]] = {}
    for query in queries:
        intents.setdefault(query.intent, []).append(query.key)
    per_intent = {intent: {metric: sum(per_query[key][metric] for key in keys if key in kept)
                           / max(1, sum(key in kept for key in keys)) for metric in METRICS}
                  for intent, keys in intents.items() if any(key in kept for key in keys)}
    return RelevanceReport(
        ndcg_at_10=float(scores["ndcg@10"]), mrr=float(scores["mrr"]),
        recall_at_10=float(scores["recall@10"]), queries=len(kept), skipped=sorted(empty),
        per_query=per_query, no_answer=len(empty),
        silence=(sum(not ranked[key] for key in empty) / len(empty)) if empty else None,
        per_intent=per_intent)


def relevance_evaluate(*, queries: list[tuple]) -> RelevanceReport:
    """Ask every query through the configured backend and score the top 10."""
    judged_queries = judged(queries)
    qrels = qrels_build(judged_queries)
    ranked = {query.key: _search(query) for query in judged_queries}
    return _score(judged_queries, qrels, ranked)


def bm25_evaluate(*, queries: list[tuple]) -> RelevanceReport:
    """The same queries ranked by a plain BM25 over the documents each resident may see."""
    from rank_bm25 import BM25Okapi

    from .documents import documents_for, items_for_search
    from .text import words

    judged_queries = judged(queries)
    qrels = qrels_build(judged_queries)
    now = timezone.now()
    documents = [document for document in documents_for(
        items=items_for_search(PublishedItem.objects.filter(locale="fr")), versions={})
        if document.live]
    tokens = [words(f"{d.title} {d.summary} {d.body}", drop_stop_words=True) or ["-"]
              for d in documents]
    index = BM25Okapi(tokens)
    ranked: dict[str, list[str]] = {}
    scopes: dict[str, set[str]] = {}
    for query in judged_queries:
        scope = scopes.get(query.commune)
        if scope is None:
            scope = scopes[query.commune] = _scope(query.commune)
        terms = words(query.text, drop_stop_words=True)
        scores = index.get_scores(terms) if terms else [0.0] * len(documents)
        allowed = [(score, document) for score, document in zip(scores, documents, strict=True)
                   if score > 0 and document.commune in scope
                   and (query.include_past or document.end is None or document.end >= now)]
        allowed.sort(key=lambda pair: -pair[0])
        ranked[query.key] = [str(document.id) for _score, document in allowed[:CUTOFF]]
    return _score(judged_queries, qrels, ranked)

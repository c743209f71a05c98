"""The JSON of a search: the scoring query of the words typed, filters, facets.

Two analysis profiles (mapping.py): "full" leaves stemming and synonyms to the node;
"basic" (a node without the analysis-common module) queries the words folded and
stripped of plurals by us (text.py) in `title_folded` / `folded`, with the synonyms
put in the query by us (`synonym_variants`).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from ...text import words
from ..base import BackendQuery

FULL_FIELDS = ["title^4", "summary^2", "body", "commune_name^2", "categories_text^2"]
FUZZY_FIELDS = ["title^4", "summary^2", "commune_name^2", "categories_text^2"]
# Fuzzy expansion is the costliest clause (issue 4 profile): bounded per term. One typo
# from 5 letters, two from 8 (Lucene's AUTO: 3 and 6). A word of 4 letters or fewer is
# taken as typed: one letter off, it is another word ("porc" is not "port", "foot" not
# "fout"), and matching it invented answers. Two-edit automata for 6- and 7-letter
# words were most of a typo pass's cost (28 % on Elasticsearch, about half on
# OpenSearch).
FUZZY_OPTIONS = {"fuzziness": "AUTO:5,8", "prefix_length": 2, "max_expansions": 10}
BASIC_FIELDS = ["title_folded^4", "folded"]
# Typos on the "basic" profile: one field, the title, summary, commune and categories
# folded (not the body, as FUZZY_FIELDS). The node builds a typo automaton per word and
# field: over `title_folded` and `folded`, a typo pass cost 36 % more node CPU (issue 4,
# session 13).
BASIC_TYPO_FIELD = "short_folded"
# Most words: one of two, all but one of three or four, then three in four (after stop
# words), as the database backend falls back to the words it finds ("où acheter des
# œufs" finds the eggs on a page that never says "acheter").
RELAXED_MATCH = "1<-1 4<75%"


# Multipliers added to 1: a news item's recency, the resident's own commune, nearness.
RECENCY_WEIGHT = 0.15
HOME_WEIGHT = 0.2
NEAR_WEIGHT = 0.15


# A word near in meaning weighs this much of a word typed (search/expansion.py).
EXPANSION_WEIGHT = 0.05
# A typo match weighs this much of an exact one: a rare word a letter or two from the
# one typed ("passeront" for "passeport") scored twice the page holding the word itself.
TYPO_WEIGHT = 0.05


def _typo(clause: dict[str, Any]) -> dict[str, Any]:
    """`clause` (a typo-tolerant match) weighed TYPO_WEIGHT: below the words as typed."""
    return {"bool": {"must": [clause], "boost": TYPO_WEIGHT}}


def _best(queries: list[dict[str, Any]]) -> dict[str, Any]:
    """One query, or the best-scoring of several (a hit that matches a query and its
    synonym scores once). Synonyms count as much as the words typed: weighing them
    0.3, 0.5 or 0.7 lowered nDCG@10 on the judged queries (0.9500, 0.9482, 0.9482
    against 0.9514)."""
    return queries[0] if len(queries) == 1 else {"dis_max": {"queries": queries}}


def _relaxes(folded: list[str]) -> bool:
    """Whether the relaxed clause (RELAXED_MATCH) can match more than the all-words one,
    for a query's folded words: from two words on. Folded words bound the analyzer's
    terms from above, except in scripts the standard tokenizer splits finer (CJK): those
    keep the clause."""
    return len(folded) > 1 or not all(word.isascii() for word in folded)


def _basic_typos(folded: str) -> dict[str, Any]:
    """The "basic" profile's typo clause: every word as typed anywhere (bodies
    included), or a letter or two off in BASIC_TYPO_FIELD. "horaires dechetterie"
    finds the déchèterie whose hours are in its body."""
    return {"bool": {"must": [
        {"bool": {"should": [
            {"term": {"folded": word}},
            {"match": {BASIC_TYPO_FIELD: {"query": word, **FUZZY_OPTIONS}}},
        ]}} for word in dict.fromkeys(folded.split())]}}


def _minute(moment: dt.datetime) -> str:
    """`moment` rounded up to the minute: the same date filters for a minute of queries,
    so the node's query cache can keep them (an event ending within that minute is
    already treated as past)."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return moment.isoformat()


def _nearby(expansions: tuple[str, ...], fields: list[str], folded: bool) -> list[dict]:
    """The clause of the words near in meaning (any of them), weighed EXPANSION_WEIGHT."""
    if not expansions:
        return []
    text = " ".join(words(" ".join(expansions)) if folded else expansions)
    return [{"multi_match": {"query": text, "fields": fields, "operator": "or",
                             "boost": EXPANSION_WEIGHT}}] if text else []


def text_query(text: str, *, widened: bool, locale: str, profile: str,
               synonym_variants: Callable[[list[str], str], list[str]],
               expansions: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The scoring query of `text`: every word, as typed or by a synonym. `widened`
    (the second pass, when that finds less than a page) adds, each weighed below the
    words typed: typos, most of the words (RELAXED_MATCH) and `expansions`. Without it
    the typo clause matches the words as typed: it still rewards a field holding every
    word, without the expansion."""
    if profile == "basic":
        folded = " ".join(words(text))
        if not folded:
            return None
        # Synonyms in Python, as the node cannot: every clause but the typo clause
        # asks for the words as typed or for a variant with synonyms in place.
        variants = synonym_variants(folded.split(), locale)
        relaxed = widened and any(_relaxes(variant.split()) for variant in variants)
        typo_clause = {"multi_match": {"query": folded, "fields": BASIC_FIELDS,
                                       "operator": "and"}}
        return {"bool": {"should": [
            _best([{"multi_match": {"query": variant, "fields": BASIC_FIELDS,
                                    "type": "cross_fields", "operator": "and",
                                    "boost": 2 if relaxed else 2.2}}
                   for variant in variants]),
            typo_clause,
            *([_typo(_basic_typos(folded))] if widened else []),
            *_nearby(expansions, BASIC_FIELDS, folded=True),
            _best([{"match_phrase": {"title_folded": {"query": variant, "slop": 2,
                                                      "boost": 3}}}
                   for variant in variants]),
            # Most words, counted without stop words (the "basic" fields keep them:
            # "où acheter des œufs" is two words, not four).
            *([_best([{"multi_match": {"query": variant, "fields": BASIC_FIELDS,
                                       "type": "cross_fields",
                                       "minimum_should_match": RELAXED_MATCH,
                                       "boost": 0.2}}
                      for variant in synonym_variants(
                          words(text, drop_stop_words=True), locale)])]
              if relaxed else []),
        ], "minimum_should_match": 1}}
    # The relaxed clause adds 0.2 of clause 1's score to a page with every word; without
    # it clause 1 takes that boost, so the first pass ranks as the widened one.
    relaxed = widened and _relaxes(words(text))
    return {"bool": {"should": [
        {"multi_match": {"query": text, "fields": FULL_FIELDS, "type": "cross_fields",
                         "operator": "and", "boost": 2 if relaxed else 2.2}},
        # Typos: fuzziness with the index analyzer (no synonym graph to expand).
        # Not over the body: fuzzy expansion there costs the most and adds noise.
        {"multi_match": {"query": text, "fields": FUZZY_FIELDS,
                         "operator": "and", "analyzer": "text_index"}},
        *([_typo({"multi_match": {"query": text, "fields": FUZZY_FIELDS, **FUZZY_OPTIONS,
                                  "operator": "and", "analyzer": "text_index"}})]
          if widened else []),
        *_nearby(expansions, FULL_FIELDS, folded=False),
        {"match_phrase": {"title": {"query": text, "slop": 2, "boost": 3}}},
        {"multi_match": {"query": " ".join(words(text)), "fields": ["title_folded"],
                         "operator": "and", "boost": 0.5}},
        # Relaxed: most words ("club de foot" finds "Union sportive (football)").
        *([{"multi_match": {"query": text, "fields": FULL_FIELDS, "type": "cross_fields",
                            "minimum_should_match": RELAXED_MATCH, "boost": 0.2}}]
          if relaxed else []),
    ], "minimum_should_match": 1}}


def filter_clauses(query: BackendQuery) -> list[dict[str, Any]]:
    """The conditions every hit meets: live, in scope, not ended (past events,
    expired alerts)."""
    filters: list[dict[str, Any]] = [{"term": {"live": True}}]
    if query.scope_communes is not None:
        codes = list(query.scope_communes)
        filters.append({"bool": {"should": [{"terms": {"commune": codes}},
                                            {"terms": {"shared_with": codes}}],
                                 "minimum_should_match": 1}})
    if query.exclude_ids:
        filters.append({"bool": {"must_not": {"ids": {
            "values": [str(page_id) for page_id in query.exclude_ids]}}}})
    if query.epci:
        filters.append({"term": {"epci": query.epci}})
    if query.department:
        filters.append({"term": {"department": query.department}})
    if query.geo is not None:
        lat, lon, radius = query.geo
        filters.append({"geo_distance": {"distance": f"{radius}km",
                                         "location": {"lat": lat, "lon": lon}}})
    if not query.include_past_events:  # past events and expired alerts: what ended
        filters.append({"bool": {"should": [
            {"bool": {"must_not": {"exists": {"field": "end"}}}},
            {"range": {"end": {"gte": _minute(query.now)}}},
        ], "minimum_should_match": 1}})
    return filters


def in_dates(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Events that overlap [start, end)."""
    return {"bool": {"filter": [{"term": {"kind": "event"}},
                                {"range": {"start": {"lt": _minute(end)}}},
                                {"range": {"end": {"gte": _minute(start)}}}]}}


def facet_filters(query: BackendQuery) -> dict[str, dict[str, Any]]:
    """The facet values selected, by facet: applied after the counts (post_filter)."""
    filters = {}
    if query.kinds:
        filters["kind"] = {"terms": {"kind": list(query.kinds)}}
    if query.communes:
        filters["commune"] = {"terms": {"commune": list(query.communes)}}
    if query.categories:
        filters["category"] = {"terms": {"categories": list(query.categories)}}
    if query.date_range:
        filters["dates"] = in_dates(*query.date_range)
    return filters


def date_facet(query: BackendQuery, others: list[dict[str, Any]]) -> dict[str, Any]:
    """Event counts per date bucket [start, end): end >= start of the bucket and
    start < its end, read from doc values by two nested date_range aggregations
    (one `since` range per distinct bucket start, one `until` range per bucket).
    A `filters` aggregation of range queries built a bitset of every event that
    started before each bucket's end (all past events): 3/4 of the facets' cost on
    the node (issue 4 profile)."""
    starts = {name: _minute(bounds[0]) for name, bounds in query.date_buckets.items()}
    return {"filter": {"bool": {"filter": [{"term": {"kind": "event"}}, *others]}},
            "aggs": {"since": {"date_range": {
                "field": "end", "keyed": True,
                "ranges": [{"key": start, "from": start}
                           for start in dict.fromkeys(starts.values())]},
                "aggs": {"until": {"date_range": {
                    "field": "start", "keyed": True,
                    "ranges": [{"key": name, "to": _minute(bounds[1])}
                               for name, bounds in query.date_buckets.items()]}}}}}}


def date_counts(raw: dict[str, Any], query: BackendQuery) -> dict[str, int]:
    """Event counts per date bucket, read from `date_facet`'s aggregation."""
    since = raw.get("since", {}).get("buckets", {})
    counts = {}
    for name, (start, _end) in query.date_buckets.items():
        until = since.get(_minute(start), {}).get("until", {}).get("buckets", {})
        counts[name] = until.get(name, {}).get("doc_count", 0)
    return counts


def search_body(query: BackendQuery, text_query: dict[str, Any] | None, *,
                profile: str) -> dict[str, Any]:
    """The body of a search: `text_query` (or every document) in the filters, scored
    by recency and nearness, with facets, paging and highlights."""
    functions: list[dict[str, Any]] = [
        {"filter": {"term": {"kind": "news"}}, "weight": RECENCY_WEIGHT,
         "gauss": {"date": {"origin": query.now.isoformat(), "scale": "30d",
                            "offset": "2d", "decay": 0.5}}}]
    if query.near_communes:
        functions.append({"filter": {"term": {"commune": query.near_communes[0]}},
                          "weight": HOME_WEIGHT})
    if query.origin is not None:
        # Only what has a position: a missing one scores the decay's full weight.
        functions.append({"filter": {"exists": {"field": "location"}},
                          "weight": NEAR_WEIGHT, "gauss": {"location": {
                              "origin": {"lat": query.origin[0], "lon": query.origin[1]},
                              "scale": "10km", "offset": "2km", "decay": 0.5}}})
    scored = {"function_score": {
        "query": {"bool": {"must": [text_query or {"match_all": {}}],
                           "filter": filter_clauses(query)}},
        # 1 + recency (news) + own commune + nearness: a multiplier from 1 to 1.5,
        # tie-breaks rather than reasons to rank (relevance before recency).
        "functions": [{"weight": 1}, *functions], "score_mode": "sum",
        "boost_mode": "multiply"}}
    selections = facet_filters(query)

    def others(name: str) -> list[dict[str, Any]]:
        return [condition for other, condition in selections.items() if other != name]

    def counts(name: str, terms: dict[str, Any]) -> dict[str, Any]:
        # A facet counts the hits as if its own selection were not made (post_filter);
        # with no other selection, the terms of the query's hits directly.
        if not others(name):
            return {"terms": terms}
        return {"filter": {"bool": {"filter": others(name)}},
                "aggs": {"values": {"terms": terms}}}

    aggs = {
        "kind": counts("kind", {"field": "kind", "size": 10}),
        "commune": counts("commune", {"field": "commune", "size": 300}),
        "category": counts("category", {"field": "categories", "size": 100}),
    }
    if query.date_buckets:
        aggs["dates"] = date_facet(query, others("dates"))
    body: dict[str, Any] = {
        "query": scored, "aggs": aggs, "from": query.offset, "size": query.limit,
        "track_total_hits": True,
        "sort": ["_score", {"date": {"order": "desc", "missing": "_last"}}],
    }
    if selections:
        body["post_filter"] = {"bool": {"filter": list(selections.values())}}
    if text_query is not None and profile == "full":
        # The summary only: re-analysing bodies for the highlighter was a quarter
        # of the node's time per query (issue 4 profile).
        body["highlight"] = {
            "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
            "fields": {"summary": {"number_of_fragments": 1, "fragment_size": 200}}}
    return body

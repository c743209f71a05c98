"""The Elasticsearch 8 backend (elasticsearch-dsl); OpenSearch is a thin subclass
(opensearch.py).

The node (node.py: client, errors, analysis profile, capabilities), under the writes
(indexing.py, with mapping.py's index definition), under the reads here, which send
the JSON that queries.py builds.
"""

import datetime as dt
import html
from dataclasses import replace
from typing import Any

from ...expansion import expansion_available
from ...text import FRENCH_STOP_WORDS, highlight, words
from ..base import BackendHit, BackendQuery, BackendResults, Capabilities
from . import queries
from .indexing import ElasticsearchIndexing

SUGGEST_SIZE_MAX = 20


def _date(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class ElasticsearchSearchBackend(ElasticsearchIndexing):
    """Params: URL, INDEX_PREFIX (default "clocher"), ANALYSIS ("auto", "full",
    "basic"), TIMEOUT (seconds)."""

    threaded_writes = True  # the clients are thread-safe

    # -- reads ------------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        return replace(super().capabilities, query_expansion=expansion_available())

    def _text_query(self, text: str, *, widened: bool, locale: str = "fr",
                    expansions: tuple[str, ...] = ()) -> dict[str, Any] | None:
        return queries.text_query(text, widened=widened, locale=locale, profile=self.profile,
                                  synonym_variants=self.synonym_variants,
                                  expansions=expansions)

    def _ask(self, query: BackendQuery, text_query: dict[str, Any] | None) -> dict[str, Any]:
        return self._call(self.client.search,
                          index=",".join(self.alias(locale) for locale in query.locales),
                          body=queries.search_body(query, text_query, profile=self.profile),
                          ignore_unavailable=True)

    def search(self, *, query: BackendQuery) -> BackendResults:
        if not query.text:
            response = self._ask(query, None)
        else:
            # Fuzzy expansion was 40% of the node's time per query (issue 4 profile),
            # and most words (OR-like) about half of a two-word search's: they match
            # far more pages to score and count. Both only matter when every word
            # finds too little: a first pass without them, the widened pass when it
            # finds less than a page. The total decides, not the page asked for: every
            # page of a search comes from the same pass.
            text_query = self._text_query(query.text, widened=False, locale=query.locale)
            if text_query is None:
                return BackendResults(hits=[], total=0, facets={})
            response = self._ask(query, text_query)
            if response["hits"]["total"]["value"] < query.limit:
                # Typos, most words, words near in meaning: all below the words typed.
                response = self._ask(query, self._text_query(
                    query.text, widened=True, locale=query.locale,
                    expansions=query.expansions))
        terms = self._marked_words(query)
        hits = [self._hit(hit, terms) for hit in response["hits"].get("hits", [])]
        raw_aggs = response.get("aggregations", {})
        facets: dict[str, dict[str, int]] = {}
        for name in ("kind", "commune", "category"):
            counted = raw_aggs.get(name, {})
            buckets = counted.get("values", counted).get("buckets", [])
            facets[name] = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
        facets["dates"] = queries.date_counts(raw_aggs.get("dates", {}), query)
        return BackendResults(hits=hits, total=response["hits"]["total"]["value"],
                              facets=facets)

    def _marked_words(self, query: BackendQuery) -> list[str]:
        """The words the "basic" profile marks in snippets: those typed, and their
        synonyms."""
        if not query.text or self.profile != "basic":
            return []
        folded = " ".join(words(query.text))
        variants = self.synonym_variants(folded.split(), query.locale) if folded else []
        # Already folded and stemmed: `words` again would strip a second letter
        # ("stress" → "stres" → "stre").
        return list(dict.fromkeys(word for variant in variants for word in variant.split()
                                  if word not in FRENCH_STOP_WORDS))

    def _hit(self, hit: dict[str, Any], terms: list[str]) -> BackendHit:
        source = hit["_source"]
        fragments = hit.get("highlight", {})
        snippet = next(iter(fragments.get("summary", [])), None)
        if snippet is None:
            text = source.get("summary") or ""
            if self.profile == "basic" and terms:
                # No highlighter for folded fields: marked by us (text.highlight).
                snippet = highlight(text, terms)
            else:  # the match was in the title only
                snippet = html.escape(text[:220])
        location = source.get("location") or {}
        return BackendHit(
            id=int(hit["_id"]), score=float(hit.get("_score") or 0), kind=source.get("kind", ""),
            title=source.get("title", ""), snippet_html=snippet, url=source.get("url", ""),
            commune=source.get("commune", ""), commune_name=source.get("commune_name", ""),
            latitude=location.get("lat"), longitude=location.get("lon"),
            date=_date(source.get("date")), start=_date(source.get("start")),
            end=_date(source.get("end")), provenance=source.get("provenance", "local"),
            origin_commune=source.get("origin_commune", ""),
            origin_server=source.get("origin_server", ""),
            origin_url=source.get("origin_url", ""), locale=self._index_locale(hit["_index"]))

    def _index_locale(self, index: str) -> str:
        """The language of a physical index (`<alias>-<timestamp>`, indexing.py)."""
        return next((locale for locale in self.locales
                     if index == self.alias(locale) or index.startswith(f"{self.alias(locale)}-")),
                    "fr")

    def suggest(self, *, text: str, locale: str, limit: int,
                scope_communes: tuple[str, ...] | None = None) -> list[BackendHit]:
        if self.profile == "full":
            completion = {"multi_match": {"query": text, "type": "bool_prefix",
                                          "fields": ["title.sayt", "title.sayt._2gram",
                                                     "title.sayt._3gram"]}}
        else:
            folded = " ".join(words(text))
            if not folded:
                return []
            completion = {"match_bool_prefix": {"title_folded": {"query": folded}}}
        should = ([{"terms": {"commune": list(scope_communes), "boost": 2}}]
                  if scope_communes else [])
        body = {"query": {"bool": {"must": [completion], "should": should,
                                   "filter": [{"term": {"live": True}}]}},
                "size": min(limit, SUGGEST_SIZE_MAX),
                "_source": ["title", "url", "kind", "commune", "commune_name", "date"]}
        response = self._call(self.client.search, index=self.alias(locale), body=body,
                              ignore_unavailable=True)
        return [replace(self._hit(hit, []), snippet_html="")
                for hit in response["hits"]["hits"]]

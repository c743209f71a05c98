"""Elasticsearch 8 backend (elasticsearch-dsl); OpenSearch is a thin subclass.

Index design (`index_definition`): one index per language behind an alias
(`<prefix>-fr`, `-en`, `-de`), physical names `<alias>-<timestamp>` so a rebuild
fills a new index and swaps the alias atomically. French chain: elision, lowercase,
French stop words, ASCII folding, light French stemming; search-time synonyms
(search/analysis/synonyms_fr.txt) in the search analyzer only, so they change
without reindexing (`synonyms_update`: close, new settings, open).

Analysis profiles: "full" needs the analysis-common and mapper-extras modules;
"basic" is for a node without them (Elasticsearch's integ-test build): standard
analysis plus words folded and stripped of plurals by us (text.py) in `title_folded`
/ `folded`, the synonyms put in the query by us (`synonym_variants`), no stemming, no
search_as_you_type, declared in `capabilities`.
"""

import datetime as dt
import html
import logging
from dataclasses import replace
from functools import cached_property
from typing import Any

from django.utils import timezone
from elasticsearch_dsl import Index, Mapping, analyzer, normalizer, token_filter

from ..documents import SearchDocument
from ..synonyms import synonym_rules
from ..text import FRENCH_STOP_WORDS, folded_text, highlight, words
from .base import (
    BackendHit,
    BackendQuery,
    BackendResults,
    BackendUnavailable,
    Capabilities,
    SearchBackend,
)

logger = logging.getLogger(__name__)

LANGUAGE_CHAINS = {
    "fr": {"stop": "_french_", "stemmer": "light_french", "elision": True},
    "en": {"stop": "_english_", "stemmer": "light_english", "elision": False},
    "de": {"stop": "_german_", "stemmer": "light_german", "elision": False},
}
FRENCH_ELISIONS = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu",
                   "lorsqu", "puisqu"]
FULL_FIELDS = ["title^4", "summary^2", "body", "commune_name^2", "categories_text^2"]
FUZZY_FIELDS = ["title^4", "summary^2", "commune_name^2", "categories_text^2"]
# Fuzzy expansion is the costliest clause (issue 4 profile): bounded per term. Typos as
# Algolia allows them by default: one from 4 letters, two from 8 (Lucene's AUTO: 3 and
# 6). Two-edit automata for 6- and 7-letter words were most of a typo pass's cost
# (issue 4: 28 % on Elasticsearch, about half on OpenSearch), and words of 3 letters
# no longer match every 3-letter word one letter away.
FUZZY_OPTIONS = {"fuzziness": "AUTO:4,8", "prefix_length": 2, "max_expansions": 10}
BASIC_FIELDS = ["title_folded^4", "folded"]
# Typos on the "basic" profile: one field, the title, summary, commune and categories
# folded (not the body, as FUZZY_FIELDS). The node builds a typo automaton per word and
# field: over `title_folded` and `folded`, a typo pass cost 36 % more node CPU (issue 4,
# session 13).
BASIC_TYPO_FIELD = "short_folded"
SUGGEST_SIZE_MAX = 20
# The stored `_source`: what a hit shows, and `live` (document_versions). The rest is
# searched, filtered or counted, from the index and doc values only.
STORED_SOURCE = ["kind", "title", "summary", "url", "commune", "commune_name", "location",
                 "date", "start", "end", "provenance", "origin_commune", "origin_server",
                 "origin_url", "live"]
# A rebuild's merge to one segment: seconds for the benchmark's 220,000 documents.
MERGE_TIMEOUT_S = 3600
# Index settings while a rebuild loads an index, back to the defaults (None) after.
BULK_LOAD_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async"}
# All words up to two, then all but one (after stop words).
RELAXED_MATCH = "2<-1"


def _analysis(locale: str, profile: str, synonyms: list[str]) -> dict[str, Any]:
    """Analyzers `text_index` and `text_search` (and `folded_keyword` normalizer)."""
    chain = LANGUAGE_CHAINS[locale]
    stop = token_filter(f"{locale}_stop", "stop", stopwords=chain["stop"])
    if profile == "basic":
        plain = analyzer("text_index", tokenizer="standard", filter=["lowercase", stop])
        return {"index": plain, "search": analyzer("text_search", tokenizer="standard",
                                                   filter=["lowercase", stop]),
                "folded": analyzer("folded_text", tokenizer="standard", filter=["lowercase"]),
                "normalizer": normalizer("folded_keyword", filter=["lowercase"])}
    stemmer = token_filter(f"{locale}_stemmer", "stemmer", language=chain["stemmer"])
    before = ([token_filter("fr_elision", "elision", articles_case=True,
                            articles=FRENCH_ELISIONS)] if chain["elision"] else [])
    language = ["german_normalization"] if locale == "de" else []
    index = analyzer("text_index", tokenizer="standard",
                     filter=[*before, "lowercase", *language, stop, "asciifolding", stemmer])
    search_filters: list[Any] = [*before, "lowercase", *language, "asciifolding"]
    if locale == "fr" and synonyms:
        search_filters.append(token_filter("fr_synonyms", "synonym_graph",
                                           synonyms=synonyms, lenient=True))
    search = analyzer("text_search", tokenizer="standard",
                      filter=[*search_filters, stop, stemmer])
    return {"index": index, "search": search,
            "folded": analyzer("folded_text", tokenizer="standard",
                               filter=["lowercase", "asciifolding"]),
            "normalizer": normalizer("folded_keyword", filter=["lowercase", "asciifolding"])}


def index_definition(*, name: str, locale: str, profile: str,
                     synonyms: list[str] | None = None) -> dict[str, Any]:
    """Settings and mappings of one language's index (elasticsearch-dsl)."""
    analysis = _analysis(locale, profile, synonyms if synonyms is not None else
                         synonym_rules())
    text = {"type": "text", "analyzer": analysis["index"],
            "search_analyzer": analysis["search"]}
    mapping = Mapping()
    title_fields: dict[str, Any] = {
        "exact": {"type": "keyword", "normalizer": analysis["normalizer"],
                  "ignore_above": 256}}
    if profile == "full":
        title_fields["sayt"] = {"type": "search_as_you_type", "analyzer": analysis["folded"]}
    mapping.field("title", "text", analyzer=analysis["index"],
                  search_analyzer=analysis["search"], fields=title_fields)
    text_options = {k: v for k, v in text.items() if k != "type"}
    # Offsets in the postings: the highlighter reads them instead of re-analysing each
    # hit's summary (issue 4 profile).
    mapping.field("summary", "text", **text_options, index_options="offsets")
    for field_name in ("body", "commune_name", "categories_text"):
        mapping.field(field_name, "text", **text_options)
    # Words folded and lightly stemmed by us (text.py): accent-insensitive matching on
    # any node; the only text fields of the "basic" profile. `short_folded` is `folded`
    # without the body, for typos. (The standard analyzer: the only one of the server
    # itself.)
    mapping.field("title_folded", "text", analyzer="standard")
    mapping.field("folded", "text", analyzer="standard")
    mapping.field("short_folded", "text", analyzer="standard")
    for keyword in ("kind", "categories", "commune", "epci", "department", "locale",
                    "shared_with", "provenance", "origin_commune", "origin_server"):
        mapping.field(keyword, "keyword")
    for stored in ("url", "origin_url"):
        mapping.field(stored, "keyword", index=False)
    mapping.field("location", "geo_point")
    for date in ("date", "start", "end"):
        mapping.field(date, "date")
    mapping.field("live", "boolean")
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
    index.mapping(mapping)
    for part in ("index", "search", "folded"):
        index.analyzer(analysis[part])
    definition = index.to_dict()
    definition["settings"].setdefault("analysis", {}).setdefault("normalizer", {}).update(
        analysis["normalizer"].get_definition() and
        {"folded_keyword": analysis["normalizer"].get_definition()})
    definition["mappings"]["_meta"] = {"profile": profile, "locale": locale}
    # Only what hits need: a hit's fetch returns the stored source as it is, where
    # filtering it meant parsing it (issue 4, session 13: a tenth of the node's time per
    # search; before, the body). Rebuilds read the read model, never the index. The
    # node keeps a full copy (`_recovery_source`) until a merge prunes it; OpenSearch 2
    # never prunes a rebuild's single merged segment, so its index grows (Elasticsearch
    # 8's shrinks).
    definition["mappings"]["_source"] = {"includes": STORED_SOURCE}
    return definition


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _source(document: SearchDocument, profile: str) -> dict[str, Any]:
    if not document.live:
        return {"live": False, "locale": document.locale}
    source: dict[str, Any] = {
        "live": True, "locale": document.locale, "kind": document.kind,
        "title": document.title, "summary": document.summary, "body": document.body,
        "categories": document.categories,
        "categories_text": " ".join(document.categories).replace("-", " "),
        "commune": document.commune, "commune_name": document.commune_name,
        "epci": document.epci, "department": document.department,
        "shared_with": document.shared_with, "date": _iso(document.date),
        "start": _iso(document.start), "end": _iso(document.end), "url": document.url,
        "provenance": document.provenance, "origin_commune": document.origin_commune,
        "origin_server": document.origin_server, "origin_url": document.origin_url,
        "title_folded": folded_text(document.title),
        "location": ({"lat": document.latitude, "lon": document.longitude}
                     if document.latitude is not None and document.longitude is not None
                     else None),
    }
    if profile == "basic":
        source["folded"] = folded_text(" ".join([document.title, document.summary,
                                                 document.body, document.commune_name]))
        source["short_folded"] = folded_text(" ".join([
            document.title, document.summary, document.commune_name,
            source["categories_text"]]))
    return source


def _best(queries: list[dict[str, Any]]) -> dict[str, Any]:
    """One query, or the best-scoring of several (a hit that matches a query and its
    synonym scores once). Synonyms count as much as the words typed: weighing them
    0.3, 0.5 or 0.7 lowered nDCG@10 on the judged queries (0.9500, 0.9482, 0.9482
    against 0.9514)."""
    return queries[0] if len(queries) == 1 else {"dis_max": {"queries": queries}}


def _relaxes(folded: list[str]) -> bool:
    """Whether the relaxed clause (RELAXED_MATCH) can match more than the all-words one,
    for a query's folded words. With two words or fewer it asks for all of them, as the
    first clause does: the first clause then takes its boost (2 + 0.2), for the same
    hits and scores with one clause less for the node (issue 4: checked on the benchmark
    index, synonyms included; on the "basic" profile the clause was 0.57 ms of 3.9 ms of
    node CPU per search). Folded words bound the analyzer's terms from above, except in
    scripts the standard tokenizer splits finer (CJK): those keep the clause."""
    return len(folded) > 2 or not all(word.isascii() for word in folded)


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


def _date(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class ElasticsearchSearchBackend(SearchBackend):
    """Params: URL, INDEX_PREFIX (default "clocher"), ANALYSIS ("auto", "full",
    "basic"), TIMEOUT (seconds)."""

    flavour = "elasticsearch"
    threaded_writes = True  # the clients are thread-safe

    # -- client (the only thing a flavour changes) ----------------------------------

    def make_client(self) -> Any:
        from elasticsearch import Elasticsearch
        from elasticsearch.serializer import OrjsonSerializer

        # orjson rather than the json module: less client CPU per search (issue 4).
        return Elasticsearch(self.params["URL"], request_timeout=self.timeout, max_retries=0,
                             retry_on_timeout=False,
                             serializers={"application/json": OrjsonSerializer()})

    @property
    def client_errors(self) -> tuple[type[Exception], ...]:
        import elastic_transport
        from elasticsearch import ApiError

        return (ApiError, elastic_transport.TransportError)

    def bulk_helper(self) -> Any:
        from elasticsearch import helpers

        return helpers.bulk

    def bulk_client(self, seconds: float = 60) -> Any:
        """The client for a long request (bulk, force merge), and its `bulk_options`."""
        return self.client.options(request_timeout=max(self.timeout, seconds))

    def bulk_options(self, seconds: float = 60) -> dict[str, Any]:
        return {}

    # -- setup ------------------------------------------------------------------------

    @cached_property
    def client(self) -> Any:
        return self.make_client()

    @property
    def timeout(self) -> float:
        return float(self.params.get("TIMEOUT", 10))

    @property
    def prefix(self) -> str:
        return self.params.get("INDEX_PREFIX", "clocher")

    def alias(self, locale: str) -> str:
        return f"{self.prefix}-{locale}"

    @cached_property
    def profile(self) -> str:
        configured = self.params.get("ANALYSIS", "auto")
        if configured in ("full", "basic"):
            return configured
        try:
            self.client.indices.analyze(body={"tokenizer": "standard",
                                              "filter": ["asciifolding"], "text": "é"})
        except self.client_errors as error:
            if getattr(error, "status_code", None) == 400 or getattr(
                    error, "status", None) == 400:
                return "basic"
            raise BackendUnavailable(f"cannot probe the analysis modules: {error}") from error
        return "full"

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        try:
            profile = self.profile
        except BackendUnavailable:
            profile = self.params.get("ANALYSIS", "full")
        full = profile == "full"
        return Capabilities(fuzzy=True, accent_folding=True, stemming=full, synonyms=True,
                            geo_distance=True, recency_boost=True, autocomplete=True,
                            facets=True, highlight=True, versioned_writes=True,
                            analysis=f"{self.flavour}-{profile}")

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except self.client_errors as error:
            raise BackendUnavailable(f"{self.flavour}: {type(error).__name__}") from error

    def healthy(self) -> bool:
        try:
            self.client.cluster.health()
        except self.client_errors:
            return False
        return True

    def _create_index(self, *, locale: str, name: str, bulk_load: bool = False) -> None:
        body = index_definition(name=name, locale=locale, profile=self.profile)
        if bulk_load:
            body["settings"].update(BULK_LOAD_SETTINGS)
        self._call(self.client.indices.create, index=name, body=body)

    def _new_name(self, locale: str) -> str:
        return f"{self.alias(locale)}-{timezone.now():%Y%m%d%H%M%S%f}"

    @cached_property
    def _ready(self) -> set[str]:
        return set()

    def ensure_indices(self) -> None:
        for locale in self.locales:
            if locale in self._ready:
                continue
            alias = self.alias(locale)
            if not self._call(self.client.indices.exists_alias, name=alias):
                name = self._new_name(locale)
                self._create_index(locale=locale, name=name)
                self._call(self.client.indices.put_alias, index=name, name=alias)
            self._ready.add(locale)

    # -- writes -----------------------------------------------------------------------

    def index_documents(self, *, documents: list[SearchDocument],
                        target: dict[str, str] | None = None) -> None:
        if not documents:
            return
        if target is None:
            self.ensure_indices()
        actions = []
        for document in documents:
            # A tombstone goes to every language: its locale may be unknown.
            locales = [document.locale] if document.live else list(self.locales)
            for locale in locales:
                index = (target or {}).get(locale) or self.alias(locale)
                actions.append({"_op_type": "index", "_index": index, "_id": document.id,
                                "version": document.version,
                                "version_type": "external_gte",
                                "_source": _source(document, self.profile)})
        try:
            _ok, errors = self.bulk_helper()(self.bulk_client(), actions,
                                             raise_on_error=False, raise_on_exception=True,
                                             chunk_size=1000,
                                             max_chunk_bytes=20 * 1024 * 1024,
                                             **self.bulk_options())
        except self.client_errors as error:
            raise BackendUnavailable(f"{self.flavour}: {type(error).__name__}") from error
        # 409: the index already holds a newer version, which is the point of versioning.
        real = [error for error in errors
                if next(iter(error.values())).get("status") != 409]
        if real:
            raise BackendUnavailable(f"{self.flavour}: {len(real)} bulk errors, first: "
                                     f"{str(real[0])[:500]}")

    def rebuild_begin(self) -> dict[str, str]:
        target = {}
        for locale in self.locales:
            name = self._new_name(locale)
            self._create_index(locale=locale, name=name, bulk_load=True)
            target[locale] = name
        return target

    def rebuild_finish(self, *, target: dict[str, str]) -> None:
        names = ",".join(target.values())
        actions: list[dict[str, Any]] = []
        old: list[str] = []
        for locale, name in target.items():
            self._call(self.client.indices.put_settings, index=name,
                       body={"index": dict.fromkeys(BULK_LOAD_SETTINGS)})
            alias = self.alias(locale)
            current = self._call(self.client.indices.get_alias, name=alias,
                                 ignore_unavailable=True) if self._call(
                self.client.indices.exists_alias, name=alias) else {}
            old.extend(index for index in current if index != name)
            actions.extend({"remove": {"index": index, "alias": alias}} for index in current
                           if index != name)
            actions.append({"add": {"index": name, "alias": alias}})
        self._call(self.client.indices.refresh, index=names)
        self._call(self.client.indices.update_aliases, body={"actions": actions})
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        self._ready.update(target)
        # One segment per index: a bulk load leaves a dozen, and every query pays for
        # each (fuzzy expansion per terms dictionary, ordinals for the facets). The
        # merge runs after the swap, search goes on meanwhile; the refresh after it
        # makes the merged segment the one searched (without it OpenSearch 2 went on
        # searching the bulk load's segments until the next write: issue 4, session 13).
        try:
            self.bulk_client(MERGE_TIMEOUT_S).indices.forcemerge(
                index=names, max_num_segments=1, **self.bulk_options(MERGE_TIMEOUT_S))
            self.client.indices.refresh(index=names)
        except self.client_errors as error:
            logger.warning("search rebuild: the merge to one segment failed: %s", error)

    def document_versions(self) -> dict[int, tuple[int, bool]]:
        from elasticsearch_dsl import Search

        self.ensure_indices()
        found: dict[int, tuple[int, bool]] = {}
        index = ",".join(self.alias(locale) for locale in self.locales)
        body = Search().source(["live"]).extra(version=True, size=5000).sort("_doc").to_dict()
        response = self._call(self.client.search, index=index, body=body, scroll="2m")
        while True:
            hits = response["hits"]["hits"]
            if not hits:
                break
            for hit in hits:
                version, live = hit["_version"], bool(hit["_source"].get("live"))
                page_id = int(hit["_id"])
                if page_id not in found or live:
                    found[page_id] = (version, live)
            response = self._call(self.client.scroll, scroll_id=response["_scroll_id"],
                                  scroll="2m")
        return found

    def purge(self, *, ids: list[int]) -> None:
        # Bulk deletes rather than _delete_by_query (the reindex module, which the
        # integ-test OpenSearch node lacks).
        actions = [{"_op_type": "delete", "_index": self.alias(locale), "_id": page_id}
                   for page_id in ids for locale in self.locales]
        try:
            _ok, errors = self.bulk_helper()(self.client, actions, raise_on_error=False,
                                             raise_on_exception=True, refresh=True)
        except self.client_errors as error:
            raise BackendUnavailable(f"{self.flavour}: {type(error).__name__}") from error
        real = [error for error in errors
                if next(iter(error.values())).get("status") not in (404, 409)]
        if real:
            raise BackendUnavailable(f"{self.flavour}: {str(real[0])[:500]}")

    def reset(self) -> None:
        self._call(self.client.indices.delete, index=f"{self.prefix}-*",
                   ignore_unavailable=True)
        self._ready.clear()

    def refresh(self) -> None:
        self._call(self.client.indices.refresh, index=f"{self.prefix}-*")

    def synonyms_update(self, *, rules: list[str]) -> None:
        """New search-time synonyms for the French index, no reindexing: settings of a
        closed index can change its analyzers (works on Elasticsearch and OpenSearch;
        search is unavailable on that index for the second it is closed). The "basic"
        profile applies synonyms in Python: the rules replace the file's in this process
        (the others read the file again when it changes)."""
        if self.profile != "full":
            super().synonyms_update(rules=rules)
            return
        alias = self.alias("fr")
        definition = index_definition(name=alias, locale="fr", profile="full", synonyms=rules)
        analysis = definition["settings"]["analysis"]
        for name in self._call(self.client.indices.get_alias, name=alias):
            self._call(self.client.indices.close, index=name)
            try:
                self._call(self.client.indices.put_settings, index=name,
                           body={"analysis": analysis})
            finally:
                self._call(self.client.indices.open, index=name, wait_for_active_shards=1)
        self._call(self.client.cluster.health, index=alias, wait_for_status="yellow")

    # -- reads ------------------------------------------------------------------------

    def _text_query(self, text: str, *, fuzzy: bool, locale: str = "fr") -> dict[str, Any] | None:
        """The scoring query of `text`. Without `fuzzy` the typo clause matches the words
        as typed: it still rewards a field holding every word, without the expansion."""
        if self.profile == "basic":
            folded = " ".join(words(text))
            if not folded:
                return None
            # Synonyms in Python, as the node cannot: every clause but the typo clause
            # asks for the words as typed or for a variant with synonyms in place.
            variants = self.synonym_variants(folded.split(), locale)
            relaxed = any(_relaxes(variant.split()) for variant in variants)
            typo_clause = (_basic_typos(folded) if fuzzy else
                           {"multi_match": {"query": folded, "fields": BASIC_FIELDS,
                                            "operator": "and"}})
            return {"bool": {"should": [
                _best([{"multi_match": {"query": variant, "fields": BASIC_FIELDS,
                                        "type": "cross_fields", "operator": "and",
                                        "boost": 2 if relaxed else 2.2}}
                       for variant in variants]),
                typo_clause,
                _best([{"match_phrase": {"title_folded": {"query": variant, "slop": 2,
                                                          "boost": 3}}}
                       for variant in variants]),
                *([_best([{"multi_match": {"query": variant, "fields": BASIC_FIELDS,
                                           "type": "cross_fields",
                                           "minimum_should_match": RELAXED_MATCH,
                                           "boost": 0.2}} for variant in variants])]
                  if relaxed else []),
            ], "minimum_should_match": 1}}
        relaxed = _relaxes(words(text))
        typos = FUZZY_OPTIONS if fuzzy else {}
        return {"bool": {"should": [
            {"multi_match": {"query": text, "fields": FULL_FIELDS, "type": "cross_fields",
                             "operator": "and", "boost": 2 if relaxed else 2.2}},
            # Typos: fuzziness with the index analyzer (no synonym graph to expand).
            # Not over the body: fuzzy expansion there costs the most and adds noise.
            {"multi_match": {"query": text, "fields": FUZZY_FIELDS, **typos,
                             "operator": "and", "analyzer": "text_index"}},
            {"match_phrase": {"title": {"query": text, "slop": 2, "boost": 3}}},
            {"multi_match": {"query": " ".join(words(text)), "fields": ["title_folded"],
                             "operator": "and", "boost": 0.5}},
            # Relaxed: most words ("club de foot" finds "Union sportive (football)").
            *([{"multi_match": {"query": text, "fields": FULL_FIELDS, "type": "cross_fields",
                                "minimum_should_match": RELAXED_MATCH, "boost": 0.2}}]
              if relaxed else []),
        ], "minimum_should_match": 1}}

    def _filters(self, query: BackendQuery) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = [{"term": {"live": True}}]
        if query.scope_communes is not None:
            codes = list(query.scope_communes)
            filters.append({"bool": {"should": [{"terms": {"commune": codes}},
                                                {"terms": {"shared_with": codes}}],
                                     "minimum_should_match": 1}})
        if query.epci:
            filters.append({"term": {"epci": query.epci}})
        if query.department:
            filters.append({"term": {"department": query.department}})
        if query.geo is not None:
            lat, lon, radius = query.geo
            filters.append({"geo_distance": {"distance": f"{radius}km",
                                             "location": {"lat": lat, "lon": lon}}})
        if not query.include_past_events:
            filters.append({"bool": {"should": [
                {"bool": {"must_not": {"term": {"kind": "event"}}}},
                {"range": {"end": {"gte": _minute(query.now)}}},
            ], "minimum_should_match": 1}})
        return filters

    @staticmethod
    def _in_dates(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        return {"bool": {"filter": [{"term": {"kind": "event"}},
                                    {"range": {"start": {"lt": _minute(end)}}},
                                    {"range": {"end": {"gte": _minute(start)}}}]}}

    def _facet_filters(self, query: BackendQuery) -> dict[str, dict[str, Any]]:
        filters = {}
        if query.kinds:
            filters["kind"] = {"terms": {"kind": list(query.kinds)}}
        if query.communes:
            filters["commune"] = {"terms": {"commune": list(query.communes)}}
        if query.categories:
            filters["category"] = {"terms": {"categories": list(query.categories)}}
        if query.date_range:
            filters["dates"] = self._in_dates(*query.date_range)
        return filters

    def _date_facet(self, query: BackendQuery, others: list[dict[str, Any]]) -> dict[str, Any]:
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

    @staticmethod
    def _date_counts(raw: dict[str, Any], query: BackendQuery) -> dict[str, int]:
        since = raw.get("since", {}).get("buckets", {})
        counts = {}
        for name, (start, _end) in query.date_buckets.items():
            until = since.get(_minute(start), {}).get("until", {}).get("buckets", {})
            counts[name] = until.get(name, {}).get("doc_count", 0)
        return counts

    def _body(self, query: BackendQuery, text_query: dict[str, Any] | None) -> dict[str, Any]:
        functions: list[dict[str, Any]] = [
            {"filter": {"term": {"kind": "news"}}, "weight": 1,
             "gauss": {"date": {"origin": query.now.isoformat(), "scale": "30d",
                                "offset": "2d", "decay": 0.5}}}]
        if query.origin is not None:
            functions.append({"weight": 1, "gauss": {"location": {
                "origin": {"lat": query.origin[0], "lon": query.origin[1]},
                "scale": "10km", "offset": "2km", "decay": 0.5}}})
        scored = {"function_score": {
            "query": {"bool": {"must": [text_query or {"match_all": {}}],
                               "filter": self._filters(query)}},
            # 1 + recency (news) + nearness: a multiplier from 1 to 3.
            "functions": [{"weight": 1}, *functions], "score_mode": "sum",
            "boost_mode": "multiply"}}
        facet_filters = self._facet_filters(query)

        def others(name: str) -> list[dict[str, Any]]:
            return [condition for other, condition in facet_filters.items() if other != name]

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
            aggs["dates"] = self._date_facet(query, others("dates"))
        body: dict[str, Any] = {
            "query": scored, "aggs": aggs, "from": query.offset, "size": query.limit,
            "track_total_hits": True,
            "sort": ["_score", {"date": {"order": "desc", "missing": "_last"}}],
        }
        if facet_filters:
            body["post_filter"] = {"bool": {"filter": list(facet_filters.values())}}
        if text_query is not None and self.profile == "full":
            # The summary only: re-analysing bodies for the highlighter was a quarter
            # of the node's time per query (issue 4 profile).
            body["highlight"] = {
                "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
                "fields": {"summary": {"number_of_fragments": 1, "fragment_size": 200}}}
        return body

    def _ask(self, query: BackendQuery, text_query: dict[str, Any] | None) -> dict[str, Any]:
        return self._call(self.client.search, index=self.alias(query.locale),
                          body=self._body(query, text_query), ignore_unavailable=True)

    def search(self, *, query: BackendQuery) -> BackendResults:
        if not query.text:
            response = self._ask(query, None)
        else:
            # Fuzzy expansion was 40% of the node's time per query (issue 4 profile)
            # and only matters when the words as typed find too little: a first pass
            # without it, the typo-tolerant pass when they find less than a page. The
            # total decides, not the page asked for: every page of a search comes from
            # the same pass.
            text_query = self._text_query(query.text, fuzzy=False, locale=query.locale)
            if text_query is None:
                return BackendResults(hits=[], total=0, facets={})
            response = self._ask(query, text_query)
            if response["hits"]["total"]["value"] < query.limit:
                response = self._ask(query, self._text_query(query.text, fuzzy=True,
                                                             locale=query.locale))
        terms = self._marked_words(query)
        hits = [self._hit(hit, terms) for hit in response["hits"].get("hits", [])]
        raw_aggs = response.get("aggregations", {})
        facets: dict[str, dict[str, int]] = {}
        for name in ("kind", "commune", "category"):
            counted = raw_aggs.get(name, {})
            buckets = counted.get("values", counted).get("buckets", [])
            facets[name] = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
        facets["dates"] = self._date_counts(raw_aggs.get("dates", {}), query)
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
            origin_url=source.get("origin_url", ""))

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

"""One language's index: analysis chains, settings and mappings, and what a document
stores in it (`document_source`).

Index design (`index_definition`): one index per language behind an alias
(`<prefix>-fr`, `-en`, `-de`), physical names `<alias>-<timestamp>` so a rebuild
fills a new index and swaps the alias atomically. French chain: elision, lowercase,
French stop words, ASCII folding, light French stemming; search-time synonyms
(search/analysis/synonyms_fr.txt) in the search analyzer only, so they change
without reindexing (`synonyms_update`: close, new settings, open).
"""

import datetime as dt
from typing import Any

from elasticsearch_dsl import Index, Mapping, analyzer, normalizer, token_filter

from ...documents import SearchDocument
from ...synonyms import synonym_rules
from ...text import folded_text

LANGUAGE_CHAINS = {
    "fr": {"stop": "_french_", "stemmer": "light_french", "elision": True},
    "en": {"stop": "_english_", "stemmer": "light_english", "elision": False},
    "de": {"stop": "_german_", "stemmer": "light_german", "elision": False},
}
FRENCH_ELISIONS = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu",
                   "lorsqu", "puisqu"]
# The stored `_source`: what a hit shows, and `live` (document_versions). The rest is
# searched, filtered or counted, from the index and doc values only.
STORED_SOURCE = ["kind", "title", "summary", "url", "commune", "commune_name", "location",
                 "date", "start", "end", "provenance", "origin_commune", "origin_server",
                 "origin_url", "live"]


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


def document_source(document: SearchDocument, profile: str) -> dict[str, Any]:
    """The `_source` of `document` in the index: a tombstone keeps `live` and `locale`."""
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

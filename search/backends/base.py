"""The search backend interface: one base class, thin implementations.

A backend indexes `SearchDocument`s (versioned: a write older than what the index
holds is ignored), answers a resolved `BackendQuery` and declares what it can do in
`capabilities`; callers (search/query/) never ask which backend they have.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..documents import SearchDocument
from ..synonyms import file_synonyms
from ..text import SynonymTable, synonym_table, synonym_variants


class BackendUnavailable(Exception):
    """The search engine cannot be reached or refused the request; retry later."""


@dataclass(frozen=True)
class Capabilities:
    fuzzy: bool = False            # typo tolerance (edit distance)
    accent_folding: bool = True    # "dechetterie" finds "déchetterie"
    stemming: bool = False         # language-aware stemming (beyond plural stripping)
    synonyms: bool = False         # search-time synonyms (déchèterie / centre de tri)
    geo_distance: bool = False     # radius on the item's own position, nearness boost
    recency_boost: bool = False    # newer news rank higher
    autocomplete: bool = True
    facets: bool = True
    highlight: bool = True
    versioned_writes: bool = True  # an older write never overwrites a newer one
    analysis: str = ""             # name of the analysis chain in use
    # Words near in meaning to those typed (BackendQuery.expansions), used when the words
    # typed find too little: on where the model is installed (search/expansion.py).
    query_expansion: bool = False

    def as_dict(self) -> dict[str, Any]:
        # Flat fields: a shallow copy (asdict's recursive deep copy ran on every search).
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class BackendQuery:
    """A validated request with its scope resolved (search/query/resolve.py builds it)."""

    text: str
    locale: str
    now: dt.datetime
    # Also search this locale's pages (on /en/ and /de/, French: what is not translated
    # yet shows in French; exclude_ids then holds the French pages that are translated).
    fallback_locale: str = ""
    scope_communes: tuple[str, ...] | None = None  # commune IN … OR shared_with IN …
    exclude_ids: tuple[int, ...] = ()  # pages the searching commune holds back (audience)
    epci: str | None = None
    department: str | None = None
    geo: tuple[float, float, float] | None = None  # (lat, lon, radius_km) filter
    origin: tuple[float, float] | None = None      # nearness boost, distances
    # The resident's commune, then its neighbours nearest first (those without
    # coordinates last): equal matches rank in this order (the resident's own first).
    near_communes: tuple[str, ...] = ()
    # Corpus words near in meaning to the words typed (capabilities.query_expansion):
    # a fallback weighed below the words typed, their synonyms and their typos.
    expansions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_range: tuple[dt.datetime, dt.datetime] | None = None
    date_buckets: dict[str, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    include_past_events: bool = False
    offset: int = 0
    limit: int = 20

    @property
    def locales(self) -> tuple[str, ...]:
        return (self.locale, self.fallback_locale) if self.fallback_locale else (self.locale,)


@dataclass
class BackendHit:
    id: int
    score: float
    kind: str
    title: str
    snippet_html: str
    url: str
    commune: str
    commune_name: str
    latitude: float | None
    longitude: float | None
    date: dt.datetime | None
    start: dt.datetime | None
    end: dt.datetime | None
    provenance: str = "local"
    origin_commune: str = ""
    origin_server: str = ""
    origin_url: str = ""
    locale: str = "fr"


@dataclass
class BackendResults:
    hits: list[BackendHit]
    total: int
    # facet name → raw value → count ("kind", "commune", "category", "dates")
    facets: dict[str, dict[str, int]]


class SearchBackend:
    """Base class; subclasses override the methods and set `capabilities`."""

    capabilities = Capabilities()
    locales: tuple[str, ...] = ("fr", "en", "de")
    # May index_documents run in other threads at once (search_rebuild's pipeline)?
    threaded_writes = False
    # Synonyms applied in Python (`synonym_variants`): the file's, or those of the last
    # `synonyms_update` in this process.
    synonyms: SynonymTable | None = None

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = dict(params or {})

    # -- writes ---------------------------------------------------------------------

    def index_documents(self, *, documents: list[SearchDocument],
                        target: dict[str, str] | None = None) -> None:
        """Write documents (tombstones included) with external versions. `target`
        maps locale → physical index during a rebuild. Raises BackendUnavailable."""
        raise NotImplementedError

    def rebuild_begin(self) -> dict[str, str]:
        """Create empty versioned indices; returns locale → index name."""
        return {}

    def rebuild_finish(self, *, target: dict[str, str]) -> None:
        """Point the aliases at `target` atomically and drop the old indices."""

    def document_versions(self) -> dict[int, tuple[int, bool]]:
        """Every indexed id → (version, live), for search_reconcile."""
        raise NotImplementedError

    def purge(self, *, ids: list[int]) -> None:
        """Remove documents outright (reconcile: tombstones of long-gone pages)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Drop everything (tests, first setup)."""

    def healthy(self) -> bool:
        return True

    def refresh(self) -> None:
        """Make writes visible to search now (tests, benchmarks)."""

    def synonyms_update(self, *, rules: list[str]) -> None:
        """Replace the search-time synonyms without reindexing: here, those this process
        applies in Python (the other processes read the file again when it changes)."""
        self.synonyms = synonym_table(tuple(rules))

    def synonym_variants(self, terms: list[str], locale: str) -> list[str]:
        """`terms` (from `words`) as typed, then with synonyms in place of the phrases
        they hold: French only, as the "full" profile's synonym filter."""
        if locale != "fr":
            return [" ".join(terms)]
        return synonym_variants(terms, self.synonyms or file_synonyms())

    # -- reads ----------------------------------------------------------------------

    def search(self, *, query: BackendQuery) -> BackendResults:
        raise NotImplementedError

    def suggest(self, *, text: str, locale: str, limit: int,
                scope_communes: tuple[str, ...] | None = None) -> list[BackendHit]:
        """Title completions; items of `scope_communes` first."""
        raise NotImplementedError

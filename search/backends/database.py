"""The embedded default: search in the project's database (SQLite or PostgreSQL).

PostgreSQL: a `tsvector` (GIN-indexed) over accent-folded, plural-stripped words,
prefix matching, `ts_rank` with the title weighted. SQLite: word-prefix containment
on the same folded text, ranked by title matches. Both put the synonym file's
synonyms in the query (search/synonyms.py). Neither does typo tolerance nor geo
scoring: declared in `capabilities`, not imitated.
"""

import time
from collections import Counter
from dataclasses import replace
from functools import reduce
from operator import and_ as operator_and
from operator import or_ as operator_or

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest

from ..documents import SearchDocument
from ..expansion import expansion_available
from ..models import SearchEntry
from ..text import FRENCH_STOP_WORDS, folded_text, highlight, words
from .base import BackendHit, BackendQuery, BackendResults, Capabilities, SearchBackend

MAX_TERMS = 12
_ENTRY_FIELDS = [f.name for f in SearchEntry._meta.concrete_fields
                 if f.name not in ("page_id", "search_vector")]


def _entry(document: SearchDocument) -> SearchEntry:
    return SearchEntry(
        page_id=document.id, version=document.version, live=document.live,
        locale=document.locale, kind=document.kind, title=document.title[:255],
        summary=document.summary, body=document.body,
        folded=folded_text(" ".join([document.title, document.summary, document.body,
                                     document.commune_name])),
        folded_title=folded_text(document.title), commune_insee=document.commune[:5],
        commune_name=document.commune_name, epci=document.epci[:9],
        department=document.department[:3],
        categories=" " + " ".join(document.categories) + " ",
        shared_with=" " + " ".join(document.shared_with) + " ",
        latitude=document.latitude, longitude=document.longitude, date=document.date,
        start=document.start, end=document.end, url=document.url[:500],
        provenance=document.provenance, origin_commune=document.origin_commune,
        origin_server=document.origin_server, origin_url=document.origin_url[:500],
    )


class DatabaseSearchBackend(SearchBackend):
    declared = Capabilities(fuzzy=False, accent_folding=True, stemming=False,
                                synonyms=True, geo_distance=False, recency_boost=False,
                                autocomplete=True, facets=True, highlight=True,
                                versioned_writes=True, analysis="folded-words")

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        return replace(self.declared, query_expansion=expansion_available())

    @property
    def postgres(self) -> bool:
        return connection.vendor == "postgresql"

    # -- writes ---------------------------------------------------------------------

    def index_documents(self, *, documents: list[SearchDocument],
                        target: dict[str, str] | None = None) -> None:
        if not documents:
            return
        if any(document.shared_with for document in documents):
            self.__dict__.pop("_shared_check", None)
        latest: dict[int, SearchDocument] = {}
        for document in documents:
            if document.id not in latest or document.version >= latest[document.id].version:
                latest[document.id] = document
        with transaction.atomic():
            held = dict(SearchEntry.objects.select_for_update()
                        .filter(page_id__in=list(latest)).values_list("page_id", "version"))
            entries = [_entry(document) for document in latest.values()
                       if document.version >= held.get(document.id, -1)]
            SearchEntry.objects.bulk_create(entries, batch_size=500, update_conflicts=True,
                                            unique_fields=["page_id"],
                                            update_fields=_ENTRY_FIELDS)
            if self.postgres and entries:
                SearchEntry.objects.filter(page_id__in=[e.page_id for e in entries]).update(
                    search_vector=SearchVector("folded_title", weight="A", config="simple")
                    + SearchVector("folded", weight="C", config="simple"))

    def rebuild_begin(self) -> dict[str, str]:
        return {"database": "search_entry"}

    def rebuild_finish(self, *, target: dict[str, str]) -> None:
        from cms.readmodel.models import PublishedItem

        # The table is the live index: what the rebuild did not rewrite is gone.
        SearchEntry.objects.filter(live=True).exclude(
            page_id__in=PublishedItem.objects.values("pk")).delete()

    def document_versions(self) -> dict[int, tuple[int, bool]]:
        return {page_id: (version, live) for page_id, version, live in
                SearchEntry.objects.values_list("page_id", "version", "live").iterator()}

    def purge(self, *, ids: list[int]) -> None:
        SearchEntry.objects.filter(page_id__in=ids).delete()

    def reset(self) -> None:
        SearchEntry.objects.all().delete()

    # -- reads ----------------------------------------------------------------------

    def _phrases(self, text: str, locale: str) -> list[tuple[str, ...]]:
        """What to look for: the words typed (stop words dropped, at most MAX_TERMS),
        then the same with synonyms in place of the phrases of the synonym file
        ("brocante" → "vide grenier")."""
        phrases = (tuple(word for word in variant.split()
                         if word not in FRENCH_STOP_WORDS)[:MAX_TERMS]
                   for variant in self.synonym_variants(words(text), locale))
        return [phrase for phrase in dict.fromkeys(phrases) if phrase]

    def _text_filter(self, queryset: QuerySet, phrases: list[tuple[str, ...]],
                     relaxed: bool = False) -> QuerySet:
        """Every word of a phrase (prefix match), ranked by the best phrase; `relaxed`:
        any word of the phrases, ranked by how many match."""
        if not phrases:
            return queryset
        if relaxed:
            phrases = [tuple(dict.fromkeys(term for phrase in phrases for term in phrase))]
        if self.postgres:
            operator = " | " if relaxed else " & "
            queries = [SearchQuery(operator.join(f"{term.replace(chr(39), '')}:*"
                                                 for term in phrase),
                                   search_type="raw", config="simple") for phrase in phrases]
            matched = queryset.filter(search_vector=reduce(operator_or, queries))
            ranks = [SearchRank(F("search_vector"), query) for query in queries]
            return matched.annotate(rank=ranks[0] if len(ranks) == 1 else Greatest(*ranks))
        if relaxed:
            queryset = queryset.filter(reduce(operator_or, [Q(folded__contains=" " + term)
                                                            for term in phrases[0]]))
        else:
            queryset = queryset.filter(reduce(operator_or, [
                reduce(operator_and, [Q(folded__contains=" " + term) for term in phrase])
                for phrase in phrases]))
        # Words matched (in the text, then twice in the title), per word of the phrase:
        # a synonym of several words weighs as much as the one word typed.
        ranks = [sum((Case(When(folded__contains=" " + term, then=Value(1.0)),
                           default=Value(0.0), output_field=FloatField())
                      + Case(When(folded_title__contains=" " + term, then=Value(2.0)),
                             default=Value(0.0), output_field=FloatField())
                      for term in phrase), Value(0.0)) / Value(float(len(phrase)))
                 for phrase in phrases]
        return queryset.annotate(rank=ranks[0] if len(ranks) == 1 else Greatest(*ranks))

    def _anything_shared(self) -> bool:
        """Whether any entry is shared (federation), re-checked every 30 s."""
        checked_at, shared = self.__dict__.get("_shared_check", (0.0, True))
        if time.monotonic() - checked_at > 30:
            shared = SearchEntry.objects.filter(live=True).exclude(
                shared_with__in=["", "  "]).exists()
            self.__dict__["_shared_check"] = (time.monotonic(), shared)
        return shared

    def _base(self, query: BackendQuery) -> QuerySet:
        queryset = SearchEntry.objects.filter(live=True, locale__in=query.locales)
        if query.scope_communes is not None:
            scope = Q(commune_insee__in=query.scope_communes)
            # The containment tests cannot use an index: only when something is shared.
            if self._anything_shared():
                for code in query.scope_communes:
                    scope |= Q(shared_with__contains=f" {code} ")
            queryset = queryset.filter(scope)
        if query.exclude_ids:
            queryset = queryset.exclude(page_id__in=query.exclude_ids)
        if query.epci:
            queryset = queryset.filter(epci=query.epci)
        if query.department:
            queryset = queryset.filter(department=query.department)
        if query.geo is not None:  # never set: capabilities.geo_distance is False
            raise NotImplementedError("geo_distance")
        if not query.include_past_events:
            # Past events and expired alerts: whatever ended (an event's end is its
            # start when it has none, tests/search/behaviour.py).
            queryset = queryset.filter(Q(end__isnull=True) | Q(end__gte=query.now))
        return queryset

    @staticmethod
    def _in_dates(start, end) -> Q:
        return Q(kind="event", start__lt=end) & (Q(end__gte=start)
                                                  | Q(end__isnull=True, start__gte=start))

    def _facet_filters(self, query: BackendQuery) -> dict[str, Q]:
        filters = {}
        if query.kinds:
            filters["kind"] = Q(kind__in=query.kinds)
        if query.communes:
            filters["commune"] = Q(commune_insee__in=query.communes)
        if query.categories:
            any_category = Q(pk__in=[])
            for slug in query.categories:
                any_category |= Q(categories__contains=f" {slug} ")
            filters["category"] = any_category
        if query.date_range:
            filters["dates"] = self._in_dates(*query.date_range)
        return filters

    def search(self, *, query: BackendQuery) -> BackendResults:
        phrases = self._phrases(query.text, query.locale) if query.text else []
        if query.text and not phrases:
            return BackendResults(hits=[], total=0, facets={})
        terms = list(dict.fromkeys(term for phrase in phrases for term in phrase))
        base = self._text_filter(self._base(query), phrases)
        if phrases and len(phrases[0]) > 1 and not base.exists():
            # Nothing has every word: fall back to any word typed, best matches first
            # (not a synonym's words: "déchèterie" would find every "centre").
            base = self._text_filter(self._base(query), phrases[:1], relaxed=True)
        if phrases and query.expansions and not base.exists():
            # Still nothing: the words near in meaning (any of them), as the words typed.
            nearby = tuple(dict.fromkeys(word for expansion in query.expansions
                                         for word in words(expansion)
                                         if word not in FRENCH_STOP_WORDS))[:MAX_TERMS]
            if nearby:
                base = self._text_filter(self._base(query), [nearby], relaxed=True)
                terms = list(nearby)
        facet_filters = self._facet_filters(query)

        def except_facet(name: str) -> QuerySet:
            queryset = base
            for other, condition in facet_filters.items():
                if other != name:
                    queryset = queryset.filter(condition)
            return queryset

        matches = except_facet("")
        # Equal matches: the resident's commune first, then the nearest (recency last).
        near = (Case(*(When(commune_insee=code, then=Value(position))
                       for position, code in enumerate(query.near_communes)),
                     default=Value(len(query.near_communes)), output_field=IntegerField())
                if query.near_communes else Value(0))
        matches = matches.annotate(near=near)
        ordering = ["-rank", "near", "-date", "page_id"] if terms else ["-date", "page_id"]
        total = matches.count()
        rows = list(matches.order_by(*ordering)[query.offset:query.offset + query.limit])
        facets: dict[str, dict[str, int]] = {
            "kind": {row["kind"]: row["n"] for row in except_facet("kind").order_by()
                     .values("kind").annotate(n=_count())},
            "commune": {row["commune_insee"]: row["n"] for row in except_facet("commune")
                        .order_by().values("commune_insee").annotate(n=_count())},
            "category": self._category_counts(except_facet("category")),
            "dates": {name: except_facet("dates").filter(self._in_dates(*bounds)).count()
                      for name, bounds in query.date_buckets.items()},
        }
        return BackendResults(hits=[self._hit(row, terms) for row in rows], total=total,
                              facets=facets)

    def _category_counts(self, queryset: QuerySet) -> dict[str, int]:
        if self.postgres:  # unnest the slugs in SQL rather than reading every row
            slugs = Func(Func(F("categories"), function="btrim"), Value(" "),
                         function="string_to_array", output_field=CharField())
            rows = (queryset.order_by().annotate(slug=Func(slugs, function="unnest",
                                                           output_field=CharField()))
                    .values("slug").annotate(n=_count()).values_list("slug", "n"))
            return {slug: n for slug, n in rows if slug}
        return dict(Counter(slug for value in queryset.values_list("categories", flat=True)
                            .iterator() for slug in value.split()))

    def _hit(self, row: SearchEntry, terms: list[str]) -> BackendHit:
        source = row.summary if any(t in row.summary.lower() for t in terms) or not terms \
            else row.body
        snippet = highlight(source or row.summary or row.body, terms)
        return BackendHit(
            id=row.page_id, score=float(getattr(row, "rank", 0) or 0), kind=row.kind,
            title=row.title, snippet_html=snippet, url=row.url, commune=row.commune_insee,
            commune_name=row.commune_name, latitude=row.latitude, longitude=row.longitude,
            date=row.date, start=row.start, end=row.end, provenance=row.provenance,
            origin_commune=row.origin_commune, origin_server=row.origin_server,
            origin_url=row.origin_url, locale=row.locale)

    def suggest(self, *, text: str, locale: str, limit: int,
                scope_communes: tuple[str, ...] | None = None) -> list[BackendHit]:
        terms = words(text)[:MAX_TERMS]
        if not terms:
            return []
        queryset = SearchEntry.objects.filter(live=True, locale=locale)
        for term in terms:
            queryset = queryset.filter(folded_title__contains=" " + term)
        near = (Case(When(commune_insee__in=scope_communes, then=Value(0)), default=Value(1),
                     output_field=IntegerField()) if scope_communes else Value(0))
        rows = queryset.annotate(near=near).order_by("near", "-date", "page_id")[:limit]
        return [self._hit(row, []) for row in rows]


def _count():
    from django.db.models import Count

    return Count("page_id")


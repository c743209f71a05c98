"""search_run and search_suggest: ask the configured backend, label the facets."""

from django.utils import timezone
from django.utils.translation import gettext as _

from cms.communes.selectors import distance_km
from cms.content.kinds import kind_labels

from ..backends import BackendHit, BackendQuery, BackendUnavailable, get_search_backend
from ..text import clean_query
from .communes import CommuneRow, category_labels, commune_checked, neighbour_codes
from .contract import (
    LOCALES,
    FacetBucket,
    SearchHit,
    SearchRequest,
    SearchRequestError,
    SearchResults,
    SearchUnavailable,
    Suggestion,
    one_of,
)
from .dates import DATE_BUCKETS
from .resolve import request_resolve


def _facets(raw: dict[str, dict[str, int]], query: BackendQuery,
            communes: dict[str, CommuneRow]) -> dict[str, list[FacetBucket]]:
    selected = {"kind": set(query.kinds), "commune": set(query.communes),
                "category": set(query.categories),
                "dates": {name for name, bounds in query.date_buckets.items()
                          if bounds == query.date_range}}
    categories = category_labels(set(raw.get("category", {})) | selected["category"],
                                  query.locale)
    kinds = kind_labels()
    labels = {"kind": kinds, "dates": DATE_BUCKETS, "category": categories,
              "commune": {code: communes[code].title
                          for code in {*raw.get("commune", {}), *selected["commune"]}
                          if code in communes}}
    facets = {}
    for name in ("kind", "commune", "category", "dates"):
        counts = dict(raw.get(name, {}))
        for value in selected[name]:
            counts.setdefault(value, 0)
        order = list(DATE_BUCKETS) if name == "dates" else list(kinds) if name == "kind" \
            else sorted(counts, key=lambda value: (-counts[value], value))
        facets[name] = [FacetBucket(value=value, label=labels[name].get(value, value),
                                    count=counts[value], selected=value in selected[name])
                        for value in order if value in counts]
    return facets


def _hit(hit: BackendHit, origin: tuple[float, float] | None) -> SearchHit:
    distance = None
    if origin is not None and hit.latitude is not None and hit.longitude is not None:
        distance = round(distance_km(origin[0], origin[1], hit.latitude, hit.longitude), 2)
    return SearchHit(
        id=hit.id, kind=hit.kind, title=hit.title, snippet_html=hit.snippet_html,
        url=hit.url, commune_insee=hit.commune, commune_name=hit.commune_name,
        distance_km=distance, start=hit.start, end=hit.end, date=hit.date,
        provenance=hit.provenance, origin_commune=hit.origin_commune,
        origin_server=hit.origin_server, origin_url=hit.origin_url, score=hit.score,
        locale=hit.locale)


def search_run(*, request: SearchRequest) -> SearchResults:
    """Search; raises SearchRequestError (bad input) or SearchUnavailable."""
    now = timezone.now().replace(microsecond=0)
    query, communes = request_resolve(request, now)
    backend = get_search_backend()
    try:
        raw = backend.search(query=query)
    except BackendUnavailable as error:
        raise SearchUnavailable(str(error)) from error
    return SearchResults(
        hits=[_hit(hit, query.origin) for hit in raw.hits], total=raw.total,
        page=request.page, page_size=request.page_size,
        facets=_facets(raw.facets, query, communes),
        capabilities=backend.capabilities.as_dict(), scope_communes=query.scope_communes)


def search_suggest(*, text: str, locale: str = "fr", commune: str | None = None,
                   limit: int = 8) -> list[Suggestion]:
    """Title completions for a search box; the commune's neighbourhood first."""
    if not isinstance(text, str) or len(text) > 100:
        raise SearchRequestError("q", _("At most %(count)d characters.") % {"count": 100})
    if locale not in LOCALES:
        raise SearchRequestError("locale", one_of(LOCALES))
    if not isinstance(limit, int) or not 1 <= limit <= 20:
        raise SearchRequestError("limit", _("From 1 to %(max)d.") % {"max": 20})
    scope = neighbour_codes(commune_checked(commune)) if commune else None
    text = clean_query(text)
    if not text:
        return []
    try:
        hits = get_search_backend().suggest(text=text, locale=locale, limit=limit,
                                            scope_communes=scope)
    except BackendUnavailable as error:
        raise SearchUnavailable(str(error)) from error
    return [Suggestion(text=hit.title, title=hit.title, url=hit.url, kind=hit.kind,
                       commune_name=hit.commune_name) for hit in hits]

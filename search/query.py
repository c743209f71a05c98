"""The query service: the one entry point for the API and the resident frontend.

    results = search_run(request=SearchRequest(text="vide grenier", commune="44052"))

Validates the request (SearchRequestError names the bad parameter), resolves the
scope (commune, neighbours, radius, EPCI, department, all) and the date buckets,
asks the configured backend, and labels the facets. Backends differ only by their
declared `capabilities`, returned with the results.
"""

import datetime as dt
import math
import re
import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from cms.communes.selectors import commune_list, distance_km, neighbours_among
from cms.content.kinds import kind_labels

from .backends import BackendHit, BackendQuery, BackendUnavailable, get_search_backend
from .text import clean_query

SCOPES = ("commune", "neighbours", "radius", "epci", "department", "all")
DATE_BUCKETS = {"today": "Aujourd'hui", "weekend": "Ce week-end", "week": "Cette semaine",
                "month": "Ce mois-ci"}
LOCALES = ("fr", "en", "de")
MAX_TEXT_LENGTH = 500
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000
MAX_RADIUS_KM = 100.0
MAX_LIST_VALUES = 50
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
_EPCI = re.compile(r"^\d{9}$")
_DEPARTMENT = re.compile(r"^(\d{2,3}|2[AB])$")


class SearchRequestError(ValueError):
    """An invalid request: `param` names the parameter, `message` says why."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class SearchUnavailable(RuntimeError):
    """The search engine cannot answer now (the API turns this into a 503)."""


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    locale: str = "fr"
    commune: str | None = None          # INSEE code: centre of the default scope
    scope: str = "neighbours"           # see SCOPES
    radius_km: float | None = None
    point: tuple[float, float] | None = None   # (lat, lon)
    epci: str | None = None
    department: str | None = None
    kinds: tuple[str, ...] = ()         # "news","event","alert","info","directory"
    communes: tuple[str, ...] = ()      # facet filter, INSEE codes
    categories: tuple[str, ...] = ()    # category slugs
    dates: str | None = None            # event date bucket: "today","weekend","week","month"
    include_past_events: bool = False
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class SearchHit:
    id: int
    kind: str
    title: str
    snippet_html: str  # escaped text, matches in <mark>
    url: str
    commune_insee: str
    commune_name: str
    distance_km: float | None
    start: dt.datetime | None
    end: dt.datetime | None
    date: dt.datetime | None
    provenance: str            # "local" or "shared"
    origin_commune: str
    origin_server: str
    origin_url: str
    score: float


@dataclass(frozen=True)
class FacetBucket:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetBucket]]
    capabilities: dict[str, Any]
    scope_communes: tuple[str, ...] | None = field(default=None)


@dataclass(frozen=True)
class Suggestion:
    text: str
    title: str
    url: str
    kind: str
    commune_name: str


# --- validation ----------------------------------------------------------------------


def _finite(value: Any, param: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise SearchRequestError(param, "A number is required.") from error
    if not math.isfinite(number) or not low <= number <= high:
        raise SearchRequestError(param, f"Expected a number from {low:g} to {high:g}.")
    return number


def _commune(insee: str, param: str = "commune") -> "_Commune":
    if not isinstance(insee, str) or not _INSEE.match(insee):
        raise SearchRequestError(param, "Expected an INSEE code (5 characters).")
    commune = _communes_by_insee().get(insee)
    if commune is None:
        raise SearchRequestError(param, f"Unknown commune: {insee}.")
    return commune


@dataclass(frozen=True)
class _Commune:
    insee_code: str
    title: str
    epci_code: str
    department_code: str
    latitude: float | None
    longitude: float | None

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


_COMMUNES_TTL_SECONDS = 60.0


@dataclass
class _CommuneTables:
    """What every query needs about communes and categories, loaded once a minute per
    process (issue 4: these lookups cost more than the engine's own work)."""

    loaded_at: float = 0.0
    communes: dict[str, _Commune] = field(default_factory=dict)
    neighbourhoods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    categories: dict[str, dict[str, str]] = field(default_factory=dict)  # locale → labels


_tables = _CommuneTables()


def communes_cache_clear() -> None:
    """Forget communes and categories (search/signals.py: a commune page was saved)."""
    global _tables
    _tables = _CommuneTables()


def _fresh_tables() -> _CommuneTables:
    global _tables
    if time.monotonic() - _tables.loaded_at > _COMMUNES_TTL_SECONDS:
        communes = {row[0]: _Commune(*row) for row in commune_list().values_list(
            "insee_code", "title", "epci_code", "department_code", "latitude", "longitude")}
        _tables = _CommuneTables(loaded_at=time.monotonic(), communes=communes)
    return _tables


def _communes_by_insee() -> dict[str, _Commune]:
    """The live communes (values, not Wagtail page instances: those cost more than the
    search itself)."""
    return _fresh_tables().communes


def _text(request: SearchRequest) -> str:
    if not isinstance(request.text, str):
        raise SearchRequestError("q", "Expected text.")
    if len(request.text) > MAX_TEXT_LENGTH:
        raise SearchRequestError("q", f"At most {MAX_TEXT_LENGTH} characters.")
    return clean_query(request.text)


def _values(values: tuple[str, ...], param: str, pattern: re.Pattern[str] | None = None,
            allowed: dict[str, str] | None = None) -> tuple[str, ...]:
    if len(values) > MAX_LIST_VALUES:
        raise SearchRequestError(param, f"At most {MAX_LIST_VALUES} values.")
    for value in values:
        if not isinstance(value, str) or (allowed is not None and value not in allowed) or (
                pattern is not None and not pattern.match(value)):
            shown = str(value)[:40]
            raise SearchRequestError(param, f"Invalid value: {shown}.")
    return tuple(dict.fromkeys(values))


def date_buckets(*, now: dt.datetime) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Event date buckets in the site's time zone: [start, end)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = midnight + dt.timedelta(days=1)
    weekday = local.weekday()  # Saturday 5, Sunday 6
    saturday = midnight + dt.timedelta(days=(5 - weekday) if weekday <= 5 else -1)
    weekend_start = max(saturday, now) if weekday >= 5 else saturday
    monday = saturday + dt.timedelta(days=2)
    return {
        "today": (now, tomorrow),
        "weekend": (weekend_start, monday),
        "week": (now, midnight + dt.timedelta(days=8)),
        "month": (now, midnight + dt.timedelta(days=31)),
    }


_DATE_INTENTS = [
    (re.compile(r"\b(ce|cette)\s+(week-?end|we)\b", re.IGNORECASE), "weekend"),
    (re.compile(r"\b(samedi|dimanche)\s+prochain\b", re.IGNORECASE), "weekend"),
    (re.compile(r"\b(aujourd'?hui|aujourd’hui|ce\s+soir)\b", re.IGNORECASE), "today"),
    (re.compile(r"\bcette\s+semaine\b", re.IGNORECASE), "week"),
    (re.compile(r"\bce\s+mois(-ci)?\b", re.IGNORECASE), "month"),
]
# Words that only say "something to do" once a date intent is found.
_OUTING_WORDS = re.compile(r"\b(que|quoi)\s+faire\b|\bsortir\b|\bsorties?\b",
                           re.IGNORECASE)


def date_intent(text: str) -> tuple[str, str | None]:
    """("vide-grenier ce week-end") → ("vide-grenier", "weekend"): a French date
    phrase becomes the event date filter."""
    for pattern, bucket in _DATE_INTENTS:
        if pattern.search(text):
            rest = _OUTING_WORDS.sub(" ", pattern.sub(" ", text))
            return " ".join(rest.split()), bucket
    return text, None


def _neighbourhood(commune: _Commune, communes: dict[str, _Commune]) -> tuple[str, ...]:
    """The commune, then its neighbours nearest first (`commune_neighbours`' rule, over
    the communes already in memory instead of one query and page instances each)."""
    others = [other for code, other in communes.items() if code != commune.insee_code]
    found = neighbours_among(commune, others, radius_km=settings.CLOCHER_NEIGHBOUR_RADIUS_KM)
    return (commune.insee_code, *(neighbour.commune.insee_code for neighbour in found))


def _neighbour_codes(commune: _Commune) -> tuple[str, ...]:
    tables = _fresh_tables()
    codes = tables.neighbourhoods.get(commune.insee_code)
    if codes is None:
        codes = tables.neighbourhoods[commune.insee_code] = _neighbourhood(
            commune, tables.communes)
    return codes


def _build(request: SearchRequest, now: dt.datetime) -> tuple[BackendQuery, dict]:
    backend = get_search_backend()
    text = _text(request)
    if request.locale not in LOCALES:
        raise SearchRequestError("locale", f"One of {', '.join(LOCALES)}.")
    if request.scope not in SCOPES:
        raise SearchRequestError("scope", f"One of {', '.join(SCOPES)}.")
    if not isinstance(request.page, int) or request.page < 1:
        raise SearchRequestError("page", "A positive integer is required.")
    if not isinstance(request.page_size, int) or not 1 <= request.page_size <= MAX_PAGE_SIZE:
        raise SearchRequestError("page_size", f"From 1 to {MAX_PAGE_SIZE}.")
    if request.page * request.page_size > MAX_RESULT_WINDOW:
        raise SearchRequestError("page", f"Only the first {MAX_RESULT_WINDOW} results "
                                         "can be paged through.")
    if request.dates is not None and request.dates not in DATE_BUCKETS:
        raise SearchRequestError("dates", f"One of {', '.join(DATE_BUCKETS)}.")
    dates = request.dates
    if dates is None:
        text, dates = date_intent(text)
    communes = _communes_by_insee()
    centre = _commune(request.commune) if request.commune else None
    point = None
    if request.point is not None:
        try:
            lat, lon = request.point
        except (TypeError, ValueError) as error:
            raise SearchRequestError("point", "Expected (lat, lon).") from error
        point = (_finite(lat, "lat", -90, 90), _finite(lon, "lon", -180, 180))
    radius = None
    if request.radius_km is not None:
        radius = _finite(request.radius_km, "radius_km", 0, MAX_RADIUS_KM)
    scope: dict[str, Any] = {}
    scope_communes: tuple[str, ...] | None = None
    if request.scope == "commune":
        if centre is None:
            raise SearchRequestError("commune", "Required with scope=commune.")
        scope_communes = (centre.insee_code,)
    elif request.scope == "neighbours" and centre is not None:
        scope_communes = _neighbour_codes(centre)
    elif request.scope == "radius":
        origin = point or (centre and centre.has_position
                           and (centre.latitude, centre.longitude)) or None
        if origin is None:
            raise SearchRequestError("point", "scope=radius needs a point or a commune "
                                              "with a position.")
        if radius is None:
            raise SearchRequestError("radius_km", "Required with scope=radius.")
        if backend.capabilities.geo_distance:
            scope["geo"] = (origin[0], origin[1], radius)
        else:
            # Without geo queries the radius applies to communes' centroids (declared
            # by capabilities.geo_distance = False).
            scope_communes = tuple(code for code, commune in communes.items()
                                   if commune.has_position and distance_km(
                                       origin[0], origin[1], commune.latitude,
                                       commune.longitude) <= radius)
    elif request.scope == "epci":
        epci = request.epci or (centre.epci_code if centre else None)
        if not epci or not _EPCI.match(epci):
            raise SearchRequestError("epci", "An EPCI SIREN code (9 digits) is required.")
        scope["epci"] = epci
    elif request.scope == "department":
        department = request.department or (centre.department_code if centre else None)
        if not department or not _DEPARTMENT.match(department):
            raise SearchRequestError("department", "A department code is required.")
        scope["department"] = department
    origin = point or ((centre.latitude, centre.longitude)
                       if centre is not None and centre.has_position else None)
    buckets = date_buckets(now=now)
    query = BackendQuery(
        text=text, locale=request.locale, now=now, scope_communes=scope_communes,
        origin=origin,
        kinds=_values(tuple(request.kinds), "kind", allowed=kind_labels()),
        communes=_values(tuple(request.communes), "communes", pattern=_INSEE),
        categories=_values(tuple(request.categories), "category", pattern=_SLUG),
        date_range=buckets[dates] if dates else None,
        date_buckets=buckets, include_past_events=bool(request.include_past_events),
        offset=(request.page - 1) * request.page_size, limit=request.page_size, **scope)
    return query, communes


def _category_labels(slugs: set[str], locale: str) -> dict[str, str]:
    tables = _fresh_tables()
    labels = tables.categories.get(locale)
    if labels is None:
        from cms.content.models import Category

        labels = {}
        for slug, name, code in Category.objects.values_list("slug", "name",
                                                             "locale__language_code"):
            if code == locale or slug not in labels:
                labels[slug] = name
        tables.categories[locale] = labels
    return {slug: labels[slug] for slug in slugs if slug in labels}


def _facets(raw: dict[str, dict[str, int]], query: BackendQuery,
            communes: dict[str, _Commune]) -> dict[str, list[FacetBucket]]:
    selected = {"kind": set(query.kinds), "commune": set(query.communes),
                "category": set(query.categories),
                "dates": {name for name, bounds in query.date_buckets.items()
                          if bounds == query.date_range}}
    categories = _category_labels(set(raw.get("category", {})) | selected["category"],
                                  query.locale)
    labels = {"kind": kind_labels(), "dates": DATE_BUCKETS, "category": categories,
              "commune": {code: communes[code].title
                          for code in {*raw.get("commune", {}), *selected["commune"]}
                          if code in communes}}
    facets = {}
    for name in ("kind", "commune", "category", "dates"):
        counts = dict(raw.get(name, {}))
        for value in selected[name]:
            counts.setdefault(value, 0)
        order = list(DATE_BUCKETS) if name == "dates" else list(kind_labels()) if name == "kind" \
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
        origin_server=hit.origin_server, origin_url=hit.origin_url, score=hit.score)


def search_run(*, request: SearchRequest) -> SearchResults:
    """Search; raises SearchRequestError (bad input) or SearchUnavailable."""
    now = timezone.now().replace(microsecond=0)
    query, communes = _build(request, now)
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
        raise SearchRequestError("q", "At most 100 characters.")
    if locale not in LOCALES:
        raise SearchRequestError("locale", f"One of {', '.join(LOCALES)}.")
    if not isinstance(limit, int) or not 1 <= limit <= 20:
        raise SearchRequestError("limit", "From 1 to 20.")
    scope = _neighbour_codes(_commune(commune)) if commune else None
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

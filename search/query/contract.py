"""The query service's contract: the request, its limits, the results, the errors."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

SCOPES = ("commune", "neighbours", "radius", "epci", "department", "all")
LOCALES = ("fr", "en", "de")
SOURCE_LOCALE = "fr"  # the language pages are written in, then translated from
MAX_TEXT_LENGTH = 500
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000
MAX_RADIUS_KM = 100.0
MAX_LIST_VALUES = 50


class SearchRequestError(ValueError):
    """An invalid request: `param` names the parameter, `message` says why (in the
    active language: the resident site's, or the API request's Accept-Language)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


def one_of(values) -> str:
    """The message for a value outside `values`, in the request's language."""
    return gettext("One of %(values)s.") % {"values": ", ".join(values)}


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
    # False: on "en" and "de", pages not translated yet are found in French.
    strict_locale: bool = False
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
    locale: str = "fr"  # the page's: French on /en/ for a page not translated yet


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

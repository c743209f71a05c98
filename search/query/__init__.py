"""The query service: the one entry point for the API and the resident frontend.

    results = search_run(request=SearchRequest(text="vide grenier", commune="44052"))

Validates the request (SearchRequestError names the bad parameter), resolves the
scope (commune, neighbours, radius, EPCI, department, all) and the date buckets,
asks the configured backend, and labels the facets. Backends differ only by their
declared `capabilities`, returned with the results.

    contract.py  SearchRequest, SearchResults, the limits and the errors
    resolve.py   a request validated, its scope resolved: the backend's query
    communes.py  communes, neighbourhoods and category labels in memory
    dates.py     event date buckets, French date phrases ("ce week-end")
    run.py       search_run, search_suggest
"""

from .communes import communes_cache_clear
from .contract import (
    LOCALES,
    MAX_LIST_VALUES,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    MAX_RESULT_WINDOW,
    MAX_TEXT_LENGTH,
    SCOPES,
    FacetBucket,
    SearchHit,
    SearchRequest,
    SearchRequestError,
    SearchResults,
    SearchUnavailable,
    Suggestion,
)
from .dates import DATE_BUCKETS, date_buckets, date_intent
from .run import search_run, search_suggest

__all__ = [
    "DATE_BUCKETS", "LOCALES", "MAX_LIST_VALUES", "MAX_PAGE_SIZE", "MAX_RADIUS_KM",
    "MAX_RESULT_WINDOW", "MAX_TEXT_LENGTH", "SCOPES", "FacetBucket", "SearchHit",
    "SearchRequest", "SearchRequestError", "SearchResults", "SearchUnavailable",
    "Suggestion", "communes_cache_clear", "date_buckets", "date_intent", "search_run",
    "search_suggest",
]

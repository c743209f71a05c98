"""`get_search_backend()`: the configured backend (settings.CLOCHER_SEARCH)."""

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    BackendHit,
    BackendQuery,
    BackendResults,
    BackendUnavailable,
    Capabilities,
    SearchBackend,
)

__all__ = ["BackendHit", "BackendQuery", "BackendResults", "BackendUnavailable",
           "Capabilities", "SearchBackend", "backend_from_params", "get_search_backend"]

DEFAULT = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}


def backend_from_params(params: dict[str, Any]) -> SearchBackend:
    backend_class = import_string(params["BACKEND"])
    return backend_class(params)


@cache
def _cached(key: str) -> SearchBackend:
    return backend_from_params(getattr(settings, "CLOCHER_SEARCH", None) or DEFAULT)


def get_search_backend() -> SearchBackend:
    """One instance per process and configuration (clients keep their connections)."""
    params = getattr(settings, "CLOCHER_SEARCH", None) or DEFAULT
    return _cached(repr(sorted(params.items())))

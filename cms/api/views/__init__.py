"""Thin views of the public API: validate parameters, call selectors, add HTTP headers.

base: the shared view (keys, rate limits, CORS, caching); items: the endpoints of each
registered content kind; communes; changes: the change feed.
"""

from .base import PublicAPIView, not_found, ping, slash_redirect
from .changes import ChangeListView
from .communes import CommuneDetailView, CommuneListView, CommuneNeighbourListView, commune_json
from .items import ItemDetailView, ItemListView, item_views

__all__ = [
    "ChangeListView",
    "CommuneDetailView",
    "CommuneListView",
    "CommuneNeighbourListView",
    "ItemDetailView",
    "ItemListView",
    "PublicAPIView",
    "commune_json",
    "item_views",
    "not_found",
    "ping",
    "slash_redirect",
]

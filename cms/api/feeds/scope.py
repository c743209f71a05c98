"""What a feed covers (a commune, its neighbourhood, a category) and how it is served:
parameter errors as the API's JSON, an ETag and a short public max-age."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from wagtail.models import Locale, Page

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_get, commune_list
from cms.content.models import Category
from cms.readmodel import conf
from cms.readmodel import listings as selectors

from ..errors import error_body

# Readers and calendar clients poll; five minutes of staleness is fine for a village.
FEED_MAX_AGE = 300


class FeedParameterError(Exception):
    """A URL or query parameter the feed cannot use; answered as JSON naming it."""

    def __init__(self, *, parameter: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.status = status

    def response(self) -> JsonResponse:
        body = error_body(self.status, {self.parameter: [self.message]})
        return JsonResponse(body, status=self.status, json_dumps_params={"ensure_ascii": False})


@dataclass
class FeedScope:
    """What a feed covers: resolved from the URL before any list is read."""

    request: HttpRequest
    communes: list[CommuneHomePage]
    commune: CommuneHomePage | None = None  # None for a category feed across all communes
    neighbourhood: bool = False
    category: Category | None = None
    _by_path: dict[str, CommuneHomePage] = field(default_factory=dict, repr=False)

    def commune_of(self, page: Page) -> CommuneHomePage | None:
        """Find the page's commune among those in scope, without a query per page; an
        item shared from outside the scope (federation/) carries its `origin`, set by
        selectors.with_origin."""
        origin = getattr(page, "origin", None)
        if origin is not None:
            return origin
        if not self._by_path:
            self._by_path = {commune.path: commune for commune in self.communes}
        for length in {len(path) for path in self._by_path}:
            commune = self._by_path.get(page.path[:length])
            if commune is not None:
                return commune
        return None

    def attribution(self, commune: CommuneHomePage | None) -> str:
        """The commune's name, or "via <neighbour>" for a neighbour's item."""
        if commune is None:
            return ""
        if self.commune is not None and commune.pk != self.commune.pk:
            return f"via {commune.title}"
        return commune.title

    @property
    def name(self) -> str:
        parts = []
        if self.commune is not None:
            parts.append(f"{self.commune.title} et alentours" if self.neighbourhood
                         else self.commune.title)
        if self.category is not None:
            parts.append(self.category.name)
        return " — ".join(parts) or "Clocher"

    @property
    def filename_stem(self) -> str:
        parts = []
        if self.commune is not None:
            parts.append(self.commune.slug)
            if self.neighbourhood:
                parts.append("alentours")
        if self.category is not None:
            parts.append(self.category.slug)
        return "-".join(parts)


# --- parameters ---------------------------------------------------------------------


def scope_resolve(
    *,
    request: HttpRequest,
    commune: str | None = None,
    neighbourhood: bool = False,
    category: str | None = None,
) -> FeedScope:
    """Turn the URL's commune and the query's radius_km and category into a FeedScope."""
    category_slug = category if category is not None else request.GET.get("category")
    found_category = _category_get(category_slug, parameter="category")
    if commune is None:
        return FeedScope(request=request, communes=list(commune_list()),
                         category=found_category)
    home = commune_get(insee_code_or_slug=commune)
    if home is None or not home.live:
        raise FeedParameterError(parameter="commune", status=404,
                                 message=f"Unknown commune: {commune}.")
    communes = [home]
    if neighbourhood:
        radius_km = _radius_km(request.GET.get("radius_km"))
        communes = selectors.neighbourhood_communes(commune=home, radius_km=radius_km)
    return FeedScope(request=request, communes=communes, commune=home,
                     neighbourhood=neighbourhood, category=found_category)


def _radius_km(value: str | None) -> float | None:
    if value is None:
        return None
    maximum = conf.neighbourhood_max_radius_km()  # the same bound as the JSON API's
    try:
        radius = float(value)
    except ValueError:
        radius = math.nan
    if not (math.isfinite(radius) and 0 <= radius <= maximum):
        raise FeedParameterError(parameter="radius_km",
                                 message=f"A number of kilometres from 0 to {maximum}.")
    return radius


def _category_get(slug: str | None, *, parameter: str) -> Category | None:
    if slug is None:
        return None
    category = Category.objects.filter(slug=slug, locale=Locale.get_default()).first()
    if category is None:
        raise FeedParameterError(parameter=parameter, message=f"Unknown category: {slug}.")
    return category


def in_category(queryset: Any, category: Category | None) -> Any:
    return queryset if category is None else queryset.filter(categories=category)


def cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Add an ETag and a short public max-age; answer 304 to a matching conditional GET."""
    if response.status_code != 200:
        return response
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    # Public data without credentials: any site may read it from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return get_conditional_response(request, etag=etag, response=response)

"""Thin views: validate parameters, call the query service, shape the JSON.

Keys, rate limits, CORS and error bodies are the public API's (PublicAPIView).
"""

import dataclasses

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from search import query

from .. import search_serializers as serializers
from ..serializers import ErrorSerializer
from .base import PublicAPIView


class SearchUnavailableError(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Search is temporarily unavailable; try again shortly.")
    default_code = "search_unavailable"


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid parameter: `errors` is "
                                                      "keyed by parameter name."),
    401: OpenApiResponse(ErrorSerializer, description="Unknown or revoked key."),
    429: OpenApiResponse(ErrorSerializer, description="Rate limit exceeded; see "
                                                      "Retry-After."),
    503: OpenApiResponse(ErrorSerializer, description="The search engine is unavailable."),
}


def _run(call):
    try:
        return call()
    except query.SearchRequestError as error:
        raise exceptions.ValidationError({error.param: [error.message]}) from error
    except query.SearchUnavailable as error:
        raise SearchUnavailableError() from error


def _iso(value):
    return value.isoformat() if value is not None else None


class SearchView(PublicAPIView):
    """Cross-commune full-text search with facets."""

    query_serializer_class = serializers.SearchQuerySerializer

    @extend_schema(tags=["search"], operation_id="search",
                   parameters=[serializers.SearchQuerySerializer],
                   description="Full text over the commune and its neighbours (default), a "
                               "radius, an EPCI, a department or everything. Facet filters "
                               "(kind, communes, category, dates) do not change their own "
                               "facet's counts. Past events and expired alerts only "
                               "with include_past_events.",
                   responses={200: serializers.SearchResponseSerializer, **ERRORS})
    def get(self, request, *args, **kwargs):
        params = self.query()
        point = (params["lat"], params["lon"]) if "lat" in params else None
        search_request = query.SearchRequest(
            text=params["q"], locale=params["locale"], commune=params.get("commune"),
            scope=params["scope"], radius_km=params.get("radius_km"), point=point,
            epci=params.get("epci"), department=params.get("department"),
            kinds=tuple(params.get("kind", ())), communes=tuple(params.get("communes", ())),
            categories=tuple(params.get("category", ())), dates=params.get("dates"),
            include_past_events=params["include_past_events"], page=params["page"],
            page_size=params["page_size"], strict_locale=params["strict_locale"])
        results = _run(lambda: query.search_run(request=search_request))
        return Response({
            "results": [{
                "id": hit.id, "kind": hit.kind, "title": hit.title,
                "snippet_html": hit.snippet_html, "url": hit.url,
                "commune": {"insee": hit.commune_insee, "name": hit.commune_name},
                "distance_km": hit.distance_km, "date": _iso(hit.date),
                "start": _iso(hit.start), "end": _iso(hit.end), "provenance": hit.provenance,
                "origin_commune": hit.origin_commune, "origin_server": hit.origin_server,
                "origin_url": hit.origin_url, "locale": hit.locale,
            } for hit in results.hits],
            "total": results.total, "page": results.page, "page_size": results.page_size,
            "facets": {name: [dataclasses.asdict(bucket) for bucket in buckets]
                       for name, buckets in results.facets.items()},
            "capabilities": results.capabilities,
        })


class SuggestView(PublicAPIView):
    """Autocomplete for a search box."""

    query_serializer_class = serializers.SuggestQuerySerializer

    @extend_schema(tags=["search"], operation_id="search_suggest",
                   parameters=[serializers.SuggestQuerySerializer],
                   responses={200: serializers.SuggestResponseSerializer, **ERRORS})
    def get(self, request, *args, **kwargs):
        params = self.query()
        suggestions = _run(lambda: query.search_suggest(
            text=params["q"], locale=params["locale"], commune=params.get("commune"),
            limit=params["limit"]))
        return Response({"results": [dataclasses.asdict(s) for s in suggestions]})

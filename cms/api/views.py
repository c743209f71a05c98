"""Thin views of the public API: validate parameters, call selectors, add HTTP headers."""

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_list, commune_neighbours

from . import conf, microcache, params, selectors, serializers, services
from .auth import ApiKeyAuthentication, FixedWindowRateThrottle, KeyRequiredIfConfigured
from .cursors import cursor_encode, keyset_after, order_by
from .errors import CursorExpired, api_exception_handler
from .models import ChangeAction, ItemKind

MAX_ID = 2**63 - 1
# List bodies are cached under a versioned key (the ETag); this only bounds memory.
LIST_BODY_CACHE_SECONDS = 60
ALLOWED_HEADERS = "Authorization, X-Api-Key, If-None-Match, If-Modified-Since"


class JSONOnly(BaseContentNegotiation):
    """Always JSON: an odd Accept header is not worth a 406 to a partner."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        304: "Not modified (If-None-Match / If-Modified-Since matched).",
        400: "Invalid parameter: `errors` is keyed by parameter name.",
        401: "Unknown or revoked key (or none where one is required).",
        403: "The key is not allowed for this commune.",
        404: "No such object.",
        410: "Cursor older than the retained changes: resync from the lists.",
        429: "Rate limit exceeded; see the Retry-After header.",
    }
    return {code: OpenApiResponse(None if code == 304 else serializers.ErrorSerializer,
                                  description=descriptions[code]) for code in codes}


COMMON_ERRORS = (400, 401, 429)


class PublicAPIView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [KeyRequiredIfConfigured]
    throttle_classes = [FixedWindowRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes: list = []
    content_negotiation_class = JSONOnly
    http_method_names = ["get", "head", "options"]
    query_serializer_class: type = params.EmptyQuerySerializer

    def get_exception_handler(self):
        return api_exception_handler

    @classmethod
    def as_fast_view(cls):
        """The view for the URLconf: GET and HEAD skip DRF's request wrapper and content
        negotiation (a third of a cached detail's time) but run the same steps as
        `initial()`: key authentication, permission, rate limit, usage count; errors
        and the CORS/Vary headers go through DRF's handler and `finalize_response`.
        Other methods (OPTIONS preflights, 405s) are DRF's. `cls` and `initkwargs` let
        drf-spectacular document the DRF class as before."""
        drf_view = cls.as_view()
        probe = cls()
        probe.setup(None)  # as in dispatch: `head` answers like `get`
        allowed = ", ".join(probe.allowed_methods)

        def view(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return drf_view(request, *args, **kwargs)
            self = cls()
            self.args, self.kwargs, self.request = args, kwargs, request
            self.format_kwarg = None
            self.headers = {"Allow": allowed}
            request.query_params = request.GET
            request.auth = request._auth = None
            try:
                self.fast_initial(request)
                response = self.get(request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 (DRF's handler decides, as in dispatch)
                response = self.handle_exception(exc)
            return self.finalize_response(request, response, *args, **kwargs)

        view.cls, view.initkwargs, view.csrf_exempt = cls, {}, True
        view.__name__ = view.__qualname__ = cls.__name__
        view.__doc__ = cls.__doc__
        return view

    def fast_initial(self, request) -> None:
        """`initial()` for a plain Django request (as_fast_view)."""
        for authenticator in self.get_authenticators():
            if (user_auth := authenticator.authenticate(request)) is not None:
                request.auth = request._auth = user_auth[1]
                break
        for permission in self.get_permissions():
            if not permission.has_permission(request, self):
                raise exceptions.PermissionDenied()
        waits = [throttle.wait() for throttle in self.get_throttles()
                 if not throttle.allow_request(request, self)]
        if waits:
            self.throttled(request, max((wait for wait in waits if wait is not None),
                                        default=None))
        if request.auth is not None:
            services.api_key_usage_record(key=request.auth)

    def initial(self, request, *args, **kwargs):
        if request.method == "OPTIONS":
            # Browsers send preflights without credentials: answer them before auth.
            self.format_kwarg = None
            request.accepted_renderer, request.accepted_media_type = (
                self.perform_content_negotiation(request))
            return
        super().initial(request, *args, **kwargs)
        if request.auth is not None:
            services.api_key_usage_record(key=request.auth)

    @extend_schema(exclude=True)
    def options(self, request, *args, **kwargs):
        return Response(status=204, headers={
            "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "86400",
        })

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        origin = request.META.get("HTTP_ORIGIN")
        key = getattr(request, "_auth", None)
        if key is None:
            response["Access-Control-Allow-Origin"] = "*"
        elif origin and origin.rstrip("/") in key.origins:
            response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        response["Vary"] = "Origin, Authorization, X-Api-Key"
        return response

    # -- helpers --------------------------------------------------------------------

    def query(self) -> dict[str, Any]:
        # Building a DRF serializer costs ~0.5 ms; a valid query string stays valid for
        # as long as the communes directory it is checked against (microcache.py).
        cache_key = ("query", self.query_serializer_class,
                     self.request.META.get("QUERY_STRING", ""))
        validated = microcache.get(cache_key)
        if validated is None:
            serializer = self.query_serializer_class(data=self.request.query_params)
            serializer.is_valid(raise_exception=True)
            validated = serializer.validated_data
            microcache.put(cache_key, validated)
        return validated

    def allowed_commune_ids(self) -> set[int] | None:
        key = self.request.auth
        return key.allowed_commune_ids if key is not None else None

    def not_modified(self, *, etag: str, last_modified: dt.datetime | None) -> bool:
        if_none_match = self.request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            presented = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return etag in presented or "*" in presented
        since = parse_http_date_safe(self.request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        return bool(since and last_modified and int(last_modified.timestamp()) <= since)

    def cached(self, response: Response, *, etag: str,
               last_modified: dt.datetime | None) -> Response:
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        max_age = conf.cache_max_age()
        response["Cache-Control"] = (f"public, max-age={max_age}, "
                                     f"stale-while-revalidate={max_age}")
        return response

    def conditional(self, *, etag: str, last_modified: dt.datetime | None, build) -> Response:
        if self.not_modified(etag=etag, last_modified=last_modified):
            return self.cached(HttpResponseNotModified(), etag=etag, last_modified=last_modified)
        return self.cached(Response(build()), etag=etag, last_modified=last_modified)

    def next_link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        query = self.request.GET.copy()
        query["cursor"] = cursor
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")


def _hash_etag(*parts: Any) -> str:
    return quote_etag(hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest())


class ItemListView(PublicAPIView):
    """A list of one kind of item; subclasses set `kind` and the query serializer."""

    kind: str = ""

    def filters(self, query: dict, now: dt.datetime) -> selectors.ItemFilters:
        commune_sets = []
        # The communes asked for by name hold back what they did not accept.
        viewers = set()
        allowed = self.allowed_commune_ids()
        if query.get("commune"):
            ids = {commune.id for commune in query["commune"]}
            if allowed is not None and not ids <= allowed:
                raise exceptions.PermissionDenied("This key is not allowed for these communes.")
            commune_sets.append(ids)
            viewers |= ids
        if query.get("around"):
            viewers.add(query["around"].id)
            radius = query.get("radius_km", 10.0)
            commune_sets.append(set(selectors.neighbourhood_ids(commune=query["around"],
                                                                radius_km=radius)))
        if query.get("epci"):
            commune_sets.append(selectors.commune_ids_in(epci_code=query["epci"]))
        if query.get("department"):
            commune_sets.append(selectors.commune_ids_in(department_code=query["department"]))
        if allowed is not None:
            commune_sets.append(allowed)
        filters = selectors.ItemFilters(
            commune_ids=set.intersection(*commune_sets) if commune_sets else None,
            viewer_ids=viewers,
            locale=query.get("locale"), categories=query.get("category", []),
            updated_since=query.get("updated_since"), bbox=query.get("bbox"),
        )
        if "lat" in query:
            filters.point = (query["lat"], query["lon"], query["radius_km"])
        self.kind_filters(query, filters, now)
        return filters

    def kind_filters(self, query: dict, filters: selectors.ItemFilters,
                     now: dt.datetime) -> None:
        if self.kind == ItemKind.EVENT and not ("start_after" in query or "start_before" in query):
            filters.ends_after = now
        filters.start_after = query.get("start_after")
        filters.start_before = query.get("start_before")
        if self.kind == ItemKind.ALERT:
            if query.get("active", True):
                filters.ends_after = filters.starts_before = now
            if query.get("severity"):
                filters.severity = params.SEVERITIES[query["severity"]]
        if query.get("topic"):
            filters.extra["topic"] = query["topic"]
        if query.get("directory_kind"):
            filters.extra["directory_kind"] = query["directory_kind"]

    def get(self, request, *args, **kwargs):
        query = self.query()
        # Minute precision keeps time-dependent lists ("upcoming") cacheable for a minute.
        now = timezone.now().replace(second=0, microsecond=0)
        filters = self.filters(query, now)
        state = selectors.feed_state()
        etag = _hash_etag(self.kind, sorted(request.query_params.lists()),
                          sorted(filters.commune_ids or ()), state.last_change_id,
                          state.last_seq, state.generation, now.isoformat())
        last_modified = max(filter(None, [state.last_change_at, now]))
        if self.not_modified(etag=etag, last_modified=last_modified):
            return self.cached(HttpResponseNotModified(), etag=etag,
                               last_modified=last_modified)
        # The ETag names everything the body depends on but the host (in `next`): a body
        # cached under both is right in every process until the data moves on.
        body_key = "clocher-api:list:" + hashlib.sha1(
            f"{etag}|{request.scheme}://{request.get_host()}".encode(),
            usedforsecurity=False).hexdigest()
        body = cache.get(body_key)
        if body is None:
            body = self.list_body(query, filters)
            cache.set(body_key, body, LIST_BODY_CACHE_SECONDS)
        return self.cached(HttpResponse(body, content_type="application/json"), etag=etag,
                           last_modified=last_modified)

    def list_body(self, query: dict, filters: selectors.ItemFilters) -> bytes:
        """One page as JSON, spliced from the list representations the database
        serialised (selectors.item_page): nothing is decoded and encoded again."""
        ordering = selectors.ITEM_ORDERINGS[self.kind]
        queryset = selectors.item_list(kind=self.kind, filters=filters)
        if query.get("cursor"):
            queryset = queryset.filter(keyset_after(ordering=ordering, values=query["cursor"]))
        size = query["page_size"]
        rows = selectors.item_page(queryset=queryset, ordering=ordering, limit=size + 1,
                                   by_filter_index=filters.commune_ids is not None)
        next_cursor = (cursor_encode(ordering_name=self.kind, values=list(rows[size - 1][1:]))
                       if len(rows) > size else None)
        return "".join([
            '{"results":[', ",".join(row[0] for row in rows[:size]),
            '],"next_cursor":', json.dumps(next_cursor),
            ',"next":', json.dumps(self.next_link(next_cursor)), "}",
        ]).encode()


class ItemDetailView(PublicAPIView):
    kind: str = ""

    def get(self, request, item_id: int, *args, **kwargs):
        self.query()
        item = selectors.item_get(kind=self.kind, item_id=item_id) if item_id <= MAX_ID else None
        if item is None:
            raise exceptions.NotFound(f"No {self.kind} with id {item_id}.")
        allowed = self.allowed_commune_ids()
        if (allowed is not None and item.commune_id not in allowed
                and not selectors.item_shared_into(item_id=item.page_id, commune_ids=allowed)):
            raise exceptions.PermissionDenied("This key is not allowed for this commune.")
        etag = quote_etag(item.etag)
        if self.not_modified(etag=etag, last_modified=item.updated_at):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(item.payload_json.encode(), content_type="application/json")
        return self.cached(response, etag=etag, last_modified=item.updated_at)


def _item_views(kind: str, query_serializer, list_serializer, detail_serializer, tag: str):
    filters_doc = ("Filters combine with AND; commune-like filters (commune, around, epci, "
                   "department) intersect. Cursor pagination in a stable total order.")

    @extend_schema(tags=[tag], operation_id=f"{tag}_list", parameters=[query_serializer],
                   description=filters_doc,
                   responses={200: serializers.page_of(list_serializer,
                                                       f"{list_serializer.__name__[:-10]}Page"),
                              **_error_responses(304, 403, *COMMON_ERRORS)})
    def list_get(self, request, *args, **kwargs):
        return ItemListView.get(self, request, *args, **kwargs)

    @extend_schema(tags=[tag], operation_id=f"{tag}_detail", responses={200: detail_serializer,
                                          **_error_responses(304, 403, 404, *COMMON_ERRORS)})
    def detail_get(self, request, item_id: int, *args, **kwargs):
        return ItemDetailView.get(self, request, item_id, *args, **kwargs)

    list_view = type(f"{kind.title()}ListView", (ItemListView,), {
        "kind": kind, "query_serializer_class": query_serializer, "get": list_get,
        "__module__": __name__, "__doc__": f"List of {kind} items."})
    detail_view = type(f"{kind.title()}DetailView", (ItemDetailView,), {
        "kind": kind, "get": detail_get, "__module__": __name__,
        "__doc__": f"One {kind} item."})
    return list_view, detail_view


NewsListView, NewsDetailView = _item_views(
    ItemKind.NEWS, params.NewsQuerySerializer, serializers.NewsSerializer,
    serializers.NewsDetailSerializer, "news")
EventListView, EventDetailView = _item_views(
    ItemKind.EVENT, params.EventQuerySerializer, serializers.EventSerializer,
    serializers.EventDetailSerializer, "events")
AlertListView, AlertDetailView = _item_views(
    ItemKind.ALERT, params.AlertQuerySerializer, serializers.AlertSerializer,
    serializers.AlertDetailSerializer, "alerts")
InfoListView, InfoDetailView = _item_views(
    ItemKind.INFO, params.InfoQuerySerializer, serializers.InfoSerializer,
    serializers.InfoDetailSerializer, "info")
DirectoryListView, DirectoryDetailView = _item_views(
    ItemKind.DIRECTORY, params.DirectoryQuerySerializer, serializers.DirectorySerializer,
    serializers.DirectoryDetailSerializer, "directory")


# -- communes -----------------------------------------------------------------------------


def commune_json(commune: CommuneHomePage) -> dict[str, Any]:
    return {
        "insee": commune.insee_code, "name": commune.title, "slug": commune.slug,
        "url": commune.get_full_url() or "", "population": commune.population,
        "postcodes": list(commune.postcodes or []),
        "department": {"code": commune.department_code, "name": commune.department_name},
        "epci": ({"code": commune.epci_code, "name": commune.epci_name}
                 if commune.epci_code else None),
        "position": ({"latitude": commune.latitude, "longitude": commune.longitude}
                     if commune.has_position else None),
    }


class CommuneListView(PublicAPIView):
    """Communes of the platform, by INSEE code."""

    query_serializer_class = params.CommuneQuerySerializer

    @extend_schema(tags=["communes"], operation_id="communes_list",
                   parameters=[params.CommuneQuerySerializer],
                   responses={200: serializers.page_of(serializers.CommuneSerializer,
                                                       "CommunePage"),
                              **_error_responses(304, *COMMON_ERRORS)})
    def get(self, request, *args, **kwargs):
        query = self.query()
        queryset = commune_list()
        if query.get("epci"):
            queryset = queryset.filter(epci_code=query["epci"])
        if query.get("department"):
            queryset = queryset.filter(department_code=query["department"])
        if query.get("cursor"):
            queryset = queryset.filter(keyset_after(ordering=selectors.COMMUNE_ORDERING,
                                                    values=query["cursor"]))
        size = query["page_size"]
        communes = list(queryset.order_by(*order_by(selectors.COMMUNE_ORDERING))[: size + 1])
        next_cursor = (cursor_encode(ordering_name="commune",
                                     values=[communes[size - 1].insee_code,
                                             communes[size - 1].pk])
                       if len(communes) > size else None)
        body = {"results": [commune_json(c) for c in communes[:size]],
                "next_cursor": next_cursor, "next": self.next_link(next_cursor)}
        return self.conditional(etag=_hash_etag(body), last_modified=None, build=lambda: body)


def _commune_or_404(insee_or_slug: str) -> CommuneHomePage:
    info = selectors.commune_find(insee_or_slug=insee_or_slug)
    commune = commune_list().filter(pk=info.id).first() if info else None
    if commune is None:
        raise exceptions.NotFound(f"No commune {insee_or_slug[:40]}.")
    return commune


class CommuneDetailView(PublicAPIView):
    @extend_schema(tags=["communes"], operation_id="communes_detail",
                   responses={200: serializers.CommuneSerializer,
                                                 **_error_responses(304, 404, *COMMON_ERRORS)})
    def get(self, request, insee: str, *args, **kwargs):
        self.query()
        body = commune_json(_commune_or_404(insee))
        return self.conditional(etag=_hash_etag(body), last_modified=None, build=lambda: body)


class CommuneNeighbourListView(PublicAPIView):
    query_serializer_class = params.NeighbourQuerySerializer

    @extend_schema(tags=["communes"], parameters=[params.NeighbourQuerySerializer],
                   responses={200: serializers.NeighbourListSerializer,
                              **_error_responses(304, 404, *COMMON_ERRORS)})
    def get(self, request, insee: str, *args, **kwargs):
        query = self.query()
        commune = _commune_or_404(insee)
        radius = query.get("radius_km", 10.0)
        body = {
            "commune": commune_json(commune), "radius_km": radius,
            "results": [
                {"commune": commune_json(n.commune), "distance_km": (
                    round(n.distance_km, 3) if n.distance_km is not None else None),
                 "same_epci": n.same_epci}
                for n in commune_neighbours(commune=commune, radius_km=radius)
            ],
        }
        return self.conditional(etag=_hash_etag(body), last_modified=None, build=lambda: body)


# -- change feed --------------------------------------------------------------------------


def _change_entry(change, *, present: bool) -> dict:
    """A change as a feed shows it. In a feed filtered by commune, an item that stops
    being shared into those communes is, for that feed, unpublished."""
    withdrawn = not present and change.action in (ChangeAction.CREATED, ChangeAction.UPDATED)
    return {"seq": change.seq,
            "action": ChangeAction.UNPUBLISHED if withdrawn else change.action,
            "id": change.item_id, "kind": change.kind, "locale": change.locale,
            "at": change.created_at.isoformat(), "item": None if withdrawn else change.payload}


class ChangeListView(PublicAPIView):
    """Creations, updates, unpublishings and deletions in commit order."""

    query_serializer_class = params.ChangeQuerySerializer

    @extend_schema(tags=["changes"], parameters=[params.ChangeQuerySerializer],
                   responses={200: serializers.ChangePageSerializer,
                              **_error_responses(403, 410, *COMMON_ERRORS)})
    def get(self, request, *args, **kwargs):
        query = self.query()
        # Read only: changes are numbered after commit by the pipeline's "changes"
        # outbox category (cms/publishing), never inside a GET.
        pruned_through, _last = selectors.change_watermarks()
        after = query["cursor"][0] if query.get("cursor") else pruned_through
        if after < pruned_through:
            raise CursorExpired()
        allowed = self.allowed_commune_ids()
        commune_ids = {c.id for c in query["commune"]} if query.get("commune") else None
        if commune_ids is not None and allowed is not None and not commune_ids <= allowed:
            raise exceptions.PermissionDenied("This key is not allowed for these communes.")
        if allowed is not None:
            commune_ids = allowed if commune_ids is None else commune_ids & allowed
        size = query["page_size"]
        changes = selectors.change_list(after_seq=after, limit=size + 1,
                                        commune_ids=commune_ids, kinds=query.get("kind"))
        page = changes[:size]
        last_seq = page[-1].seq if page else after
        present = selectors.change_present_in(changes=page, commune_ids=commune_ids)
        response = Response({
            "results": [_change_entry(c, present=c.pk in present) for c in page],
            "next_cursor": cursor_encode(ordering_name="change", values=[last_seq]),
            "has_more": len(changes) > size,
        })
        response["Cache-Control"] = "no-cache"
        return response


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error shape, not an HTML page."""
    from .errors import error_body

    return JsonResponse(error_body(404, {"detail": ["No such endpoint."]}), status=404)


def ping(request):
    """The benchmark floor: the cheapest JSON answer this server can give."""
    return JsonResponse({"ok": True})


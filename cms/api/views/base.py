"""The public API's base view: key authentication, rate limits, CORS and HTTP caching."""

import datetime as dt
import hashlib
from typing import Any

from django.http import HttpResponseNotModified, JsonResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.readmodel import conf, microcache

from .. import keys, params, serializers
from ..auth import ApiKeyAuthentication, FixedWindowRateThrottle, KeyRequiredIfConfigured
from ..errors import api_exception_handler, error_body

ALLOWED_HEADERS = "Authorization, X-Api-Key, If-None-Match, If-Modified-Since"


class JSONOnly(BaseContentNegotiation):
    """Always JSON: an odd Accept header is not worth a 406 to a partner."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
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
            keys.api_key_usage_record(key=request.auth)

    def initial(self, request, *args, **kwargs):
        if request.method == "OPTIONS":
            # Browsers send preflights without credentials: answer them before auth.
            self.format_kwarg = None
            request.accepted_renderer, request.accepted_media_type = (
                self.perform_content_negotiation(request))
            return
        super().initial(request, *args, **kwargs)
        if request.auth is not None:
            keys.api_key_usage_record(key=request.auth)

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




def hash_etag(*parts: Any) -> str:
    return quote_etag(hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest())


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error shape, not an HTML page."""
    return JsonResponse(error_body(404, {"detail": [_("No such endpoint.")]}), status=404)


def slash_redirect(request, path: str):
    """/api/events/ → /api/events (301, query kept): one way to write every path of the
    partner API (no trailing slash); a path that does not exist without it is a 404."""
    from django.http import HttpResponsePermanentRedirect
    from django.urls import Resolver404, resolve

    target = f"/api/{path}"
    try:
        match = resolve(target)
    except Resolver404:
        return not_found(request)
    if getattr(match.func, "__name__", "") in ("not_found", "slash_redirect"):
        return not_found(request)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


def ping(request):
    """The benchmark floor: the cheapest JSON answer this server can give."""
    return JsonResponse({"ok": True})

"""Partner keys, rate limits and CORS for the public API."""

import functools

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions, throttling

from cms.core.ratelimit import Decision, address_bucket, client_address, rate_limit_hit
from cms.readmodel import conf
from cms.readmodel.models import ApiKey

from .errors import error_body
from .keys import KEY_TOKEN_PREFIX, api_key_hash

KEY_PREFIX_LENGTH = len(KEY_TOKEN_PREFIX) + 8
WINDOW_SECONDS = 60


def _presented_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed(
                _("Expected 'Authorization: Bearer <key>'."))
        return token.strip()
    return request.META.get("HTTP_X_API_KEY") or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` or `X-Api-Key: <key>`; request.auth is the ApiKey."""

    def authenticate(self, request):
        token = _presented_token(request)
        if token is None:
            return None
        key = (ApiKey.objects.filter(prefix=token[:KEY_PREFIX_LENGTH],
                                     secret_hash=api_key_hash(token))
               .only("id", "name", "prefix", "revoked_at", "rate_limit_per_minute",
                     "cors_origins", "last_used_at").first())
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        key.allowed_commune_ids = set(key.communes.values_list("pk", flat=True)) or None
        return (AnonymousUser(), key)

    def authenticate_header(self, request):
        # Without a challenge DRF would turn our 401s into 403s.
        return 'Bearer realm="clocher-api"'


class KeyRequiredIfConfigured(permissions.BasePermission):
    def has_permission(self, request, view):
        if conf.key_required() and request.auth is None:
            raise exceptions.NotAuthenticated(_("An API key is required."))
        return True


def _rate_limit(request, key: ApiKey | None) -> Decision:
    """One request against its key's limit per minute, or its address's (anonymous)."""
    if key is not None:
        return rate_limit_hit(scope="api", who=f"key:{key.pk}",
                              limit=key.rate_limit_per_minute, window_seconds=WINDOW_SECONDS)
    return rate_limit_hit(scope="api", who=f"ip:{address_bucket(client_address(request))}",
                          limit=conf.anonymous_rate_per_minute(), window_seconds=WINDOW_SECONDS)


class FixedWindowRateThrottle(throttling.BaseThrottle):
    """Requests per minute per key (its own limit) or per client address (anonymous):
    cms/core/ratelimit.py, where the counters and the client's address come from."""

    def allow_request(self, request, view):
        key = request.auth if isinstance(request.auth, ApiKey) else None
        decision = _rate_limit(request, key)
        self._wait = decision.retry_after
        return decision.allowed

    def wait(self):
        return self._wait


def rate_limited(view):
    """`view` counted against the anonymous limit of its client's address, answering 429
    in the API's error shape past it: the API's views that are not PublicAPIView (which
    count in their throttle, by key or address), Wagtail's /api/v2/, feeds, the schema."""
    drf_class = getattr(view, "cls", None)  # DRF's as_view() sets it
    if (getattr(view, "rate_limited", False)
            or FixedWindowRateThrottle in getattr(drf_class, "throttle_classes", ())):
        return view

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        decision = _rate_limit(request, None)
        if not decision.allowed:
            response = JsonResponse(error_body(429, {"detail": [
                f"Request was throttled. Expected available in {decision.retry_after} "
                "seconds."]}), status=429)
            response["Retry-After"] = str(decision.retry_after)
            response["Access-Control-Allow-Origin"] = "*"
            return response
        return view(request, *args, **kwargs)

    limited.rate_limited = True
    return limited

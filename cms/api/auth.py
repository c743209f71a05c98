"""Partner keys, rate limits and CORS for the public API."""

import math
import time

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework import authentication, exceptions, permissions, throttling

from cms.readmodel import conf
from cms.readmodel.models import ApiKey

from .keys import KEY_TOKEN_PREFIX, api_key_hash

KEY_PREFIX_LENGTH = len(KEY_TOKEN_PREFIX) + 8
WINDOW_SECONDS = 60


def _presented_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed("Expected 'Authorization: Bearer <key>'.")
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
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if not key.is_active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        key.allowed_commune_ids = set(key.communes.values_list("pk", flat=True)) or None
        return (AnonymousUser(), key)

    def authenticate_header(self, request):
        # Without a challenge DRF would turn our 401s into 403s.
        return 'Bearer realm="clocher-api"'


class KeyRequiredIfConfigured(permissions.BasePermission):
    def has_permission(self, request, view):
        if conf.key_required() and request.auth is None:
            raise exceptions.NotAuthenticated("An API key is required.")
        return True


class FixedWindowRateThrottle(throttling.BaseThrottle):
    """Requests per minute per key (its own limit) or per client IP (anonymous).

    A fixed one-minute window in the Django cache: one atomic increment per request.
    With a per-process cache (the default) each worker counts on its own; CACHE_URL
    (a database or Redis cache) makes the limit global.
    """

    def allow_request(self, request, view):
        key = request.auth
        limit = key.rate_limit_per_minute if key is not None else conf.anonymous_rate_per_minute()
        if limit <= 0:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        who = f"key:{key.pk}" if key is not None else f"ip:{self.get_ident(request)}"
        cache_key = f"clocher-api:rate:{who}:{window}"
        cache.add(cache_key, 0, WINDOW_SECONDS + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, WINDOW_SECONDS + 5)
            count = 1
        self._wait = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        return count <= limit

    def wait(self):
        return self._wait

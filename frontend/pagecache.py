"""A short-lived cache of the resident site's rendered pages, for anonymous readers.

Why: a commune home or agenda reads the neighbourhood's listings (tens of communes, each
a subtree of the page table); a village's site is read far more often than it changes.
`CLOCHER_FRONTEND_CACHE_SECONDS` (default 30; 0 disables) bounds how long a page is
served after it was rendered. Any publish, unpublish or deletion bumps a generation
number in the cache, so with a shared cache (Redis, Memcached) every process sees new
content at once; with Django's default per-process memory cache other processes see it
once their entries expire.

Only anonymous GET/HEAD answers 200 text/html that set no cookie are kept (the
contribution form sets the CSRF cookie: never cached), and never the admin, the API,
static or media files.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path

GENERATION_KEY = "frontend:pagecache:generation"
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/api/", "/static/", "/media/",
                    "/documents/", "/images/", "/proposer/", "/.well-known/", "/sitemap")


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def invalidate() -> None:
    """Forget every cached page (called on publish, unpublish, delete)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _seconds() -> int:
    return int(getattr(settings, "CLOCHER_FRONTEND_CACHE_SECONDS", 0) or 0)


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or _seconds() <= 0:
        return False
    path = request.path
    language = get_language_from_path(path)
    if language:  # /en/proposer/ is the contribution form too
        path = path[len(language) + 1:]
    if path.startswith(SKIPPED_PREFIXES):
        return False
    # No session cookie: anonymous, and nothing per-user can be on the page.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _key(request) -> str:
    language = getattr(request, "LANGUAGE_CODE", "")
    raw = f"{request.get_host()}|{request.get_full_path()}|{language}|{generation()}"
    return "frontend:page:" + hashlib.sha256(raw.encode()).hexdigest()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if (response.status_code == 200 and not response.cookies
                and not getattr(response, "streaming", False)
                and response.get("Content-Type", "").startswith("text/html")
                and "no-store" not in response.get("Cache-Control", "")):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            patch_vary_headers(response, ["Cookie"])
            cache.set(key, response, _seconds())
        return response

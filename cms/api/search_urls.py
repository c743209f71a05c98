from django.urls import URLPattern, path
from django.urls.resolvers import RoutePattern

from .views import search as views


class _SuffixRoute(RoutePattern):
    """cms/api/urls.py includes this module under "search" without a trailing slash
    (/api/search, /api/search/suggest): here the leading slash is the separator."""

    def _check_pattern_startswith_slash(self):
        return []


urlpatterns = [
    path("", views.SearchView.as_view(), name="api-search"),
    URLPattern(_SuffixRoute("/suggest", name="api-search-suggest", is_endpoint=True),
               views.SuggestView.as_view(), name="api-search-suggest"),
]

"""URLs of the public API: the partner API under /api/, Wagtail's pages API at /api/v2/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail.api.v2.router import WagtailAPIRouter

from cms.content.kinds import kinds

from . import views
from .auth import rate_limited
from .language import in_request_language
from .wagtail_api import BoundedDocumentsAPIViewSet, BoundedImagesAPIViewSet, ListedPagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ListedPagesAPIViewSet)
api_router.register_endpoint("images", BoundedImagesAPIViewSet)
api_router.register_endpoint("documents", BoundedDocumentsAPIViewSet)


def limit_every_route(patterns: list) -> list:
    """Every view of `patterns` (and of what they include) counted by rate_limited."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            limit_every_route(pattern.url_patterns)
        elif getattr(pattern, "callback", None) is not None:
            pattern.callback = in_request_language(rate_limited(pattern.callback))
    return patterns

# Wagtail's API stays public, under the partner API's anonymous limit (docs/adr/0007).
wagtail_api_urls = (limit_every_route(api_router.get_urlpatterns()),
                    api_router.url_namespace, api_router.url_namespace)


def _item_routes():
    """A list and a detail per registered kind: /api/<api_path>, /api/<api_path>/<id>."""
    for kind in kinds():
        list_view, detail_view = views.item_views(kind)
        yield path(kind.api_path, list_view.as_fast_view(), name=f"api-{kind.api_path}-list")
        yield path(f"{kind.api_path}/<id:item_id>", detail_view.as_fast_view(),
                   name=f"api-{kind.api_path}-detail")


urlpatterns = [
    *_item_routes(),
    path("communes", views.CommuneListView.as_view(), name="api-commune-list"),
    path("communes/<str:insee>", views.CommuneDetailView.as_view(), name="api-commune-detail"),
    path("communes/<str:insee>/neighbours", views.CommuneNeighbourListView.as_view(),
         name="api-commune-neighbours"),
    path("changes", views.ChangeListView.as_view(), name="api-change-list"),
    # Cross-commune search and autocomplete (search_urls.py).
    path("search", include("cms.api.search_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("_ping", views.ping, name="api-ping"),
    # RSS, Atom and iCalendar feeds (cms/api/feeds.py).
    path("", include("cms.api.feed_urls")),
    # One way to write a path: without the trailing slash (the schema and docs apart).
    re_path(r"^(?!v2/)(?P<path>[^%]+?)/$", views.slash_redirect),
    re_path(r"^(?!v2/)", views.not_found),
]
# Every route is rate limited: PublicAPIView's throttle counts by key or address; the
# others (feeds, the schema, _ping, unknown paths) count against the address's limit.
urlpatterns = limit_every_route(urlpatterns)

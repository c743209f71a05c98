from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView

from cms.api.urls import wagtail_api_urls
from cms.communes.translation import GUARDED_VIEWS as TRANSLATION_GUARDED_VIEWS
from cms.communes.translation import page_translation_guard
from cms.communes.wagtail_hooks import PLATFORM_ONLY_REPORTS, platform_only

# The Wagtail admin's own screens carry inline scripts (its configuration, the editors'
# widgets): there, and only there, they may run. Previews and drafts render the resident
# site's templates, which have none, and keep the strict policy: markup a proposal or a
# remote item smuggles in never runs in an editor's browser (docs/security.md).
ADMIN_STRICT_VIEWS = ("preview", "view_draft", "revisions_view")
admin_inline_scripts = csp_update({"script-src": ["'unsafe-inline'"]})


def admin_policy(patterns: list) -> list:
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            admin_policy(pattern.url_patterns)
            continue
        if pattern.name in PLATFORM_ONLY_REPORTS:
            pattern.callback = platform_only(pattern.callback)
        if pattern.name in TRANSLATION_GUARDED_VIEWS:
            pattern.callback = page_translation_guard(pattern.callback)
        if not any(word in (pattern.name or "") for word in ADMIN_STRICT_VIEWS):
            pattern.callback = admin_inline_scripts(pattern.callback)
    return patterns


urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(admin_policy(list(wagtailadmin_urls.urlpatterns)))),
    path("documents/", include(wagtaildocs_urls)),
    path("images/<str:signature>/<id:image_id>/<str:filter_spec>/", ServeView.as_view(),
         name="wagtailimages_serve"),
    path("api/v2/", wagtail_api_urls),
    # The partner API (docs/api.md); before the i18n catch-all below.
    path("api/", include("cms.api.urls")),
    # Open data: files built by the worker, their schemas and DCAT catalogue.
    path("opendata/", include("cms.api.opendata.urls")),
    path("sitemap.xml", sitemap),
    # ActivityPub, WebFinger, NodeInfo (federation/urls.py).
    path("", include("federation.urls")),
    # The installable site's manifest and service worker (notify/pwa.py).
    path("", include("notify.pwa_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# French, the source language, has no prefix; translations live under /en/ and /de/.
urlpatterns += i18n_patterns(
    # Resident-site views that are not Wagtail pages (frontend/urls.py): under the same
    # prefix as the page the resident comes from, so /en/proposer/ is in English.
    path("", include("frontend.urls")),
    # Residents' subscriptions: alerts by push, e-mail, SMS (notify/urls.py).
    path("", include("notify.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

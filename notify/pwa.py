"""The installable site: web app manifest, service worker, offline page.

The service worker is served from the root (/sw.js) so that its scope is the whole
site; it is a static file (static/notify/sw.js) read once, under the site's CSP
(script-src 'self': no inline code anywhere, the manifest and the worker are
same-origin files).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from cms.communes.selectors import commune_get
from cms.readmodel.models import PUBLIC_STATES, Audience, PublishedItem

SERVICE_WORKER = Path(__file__).parent / "static" / "notify" / "sw.js"


@cache
def _service_worker_source() -> bytes:
    return SERVICE_WORKER.read_bytes()


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    response = HttpResponse(_service_worker_source(),
                            content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    return JsonResponse(manifest_data(), content_type="application/manifest+json")


def manifest_data(**identity) -> dict:
    """The web app manifest; a commune's site overrides name, colour and icons."""
    return {
        "name": "Clocher", "short_name": "Clocher", "lang": "fr",
        "description": _("Les nouvelles et les alertes de votre commune et de ses voisines."),
        "start_url": "/", "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1d4e89",
        "icons": [{"src": static(f"notify/icons/icon-{size}.png"), "type": "image/png",
                   "sizes": f"{size}x{size}", "purpose": "any"} for size in (192, 512)],
    } | identity


def current_alerts(*, commune, language: str) -> list[PublishedItem]:
    """The alerts in force in a commune (its own and those it accepted), newest first."""
    keys = Audience.objects.filter(commune=commune, state__in=PUBLIC_STATES,
                                   kind="alert").values("translation_key")
    now = timezone.now()
    alerts = (PublishedItem.objects.filter(kind="alert", translation_key__in=keys)
              .filter(Q(end__isnull=True) | Q(end__gt=now))
              .order_by("-severity", "-start"))
    chosen: dict = {}
    for item in alerts:
        if item.locale == language or item.translation_key not in chosen:
            chosen[item.translation_key] = item
    return list(chosen.values())


@require_GET
@cache_control(no_cache=True)
def offline(request):
    """What the service worker shows when the network is gone: the commune's alerts,
    as they were when it last fetched this page."""
    wanted = (request.GET.get("commune") or "").strip()[:100]
    commune = commune_get(insee_code_or_slug=wanted) if wanted else None
    if commune is not None and (not commune.live or commune.origin_server):
        commune = None
    language = (request.LANGUAGE_CODE or "fr")[:2]
    alerts = current_alerts(commune=commune, language=language) if commune else []
    return render(request, "notify/offline.html", {
        "commune": commune, "alerts": alerts, "fetched_at": timezone.now()})

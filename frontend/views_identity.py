"""The commune's identity stylesheet and the A4 posters of alerts and events.

The colour reaches the pages through a small stylesheet of the commune's own (same
origin, cached a year under a versioned URL), never an inline style: the site's CSP."""

import segno
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from cms.communes.selectors import commune_get
from cms.content.models import AlertPage, EventPage
from cms.readmodel import listings as selectors
from notify.pwa import manifest_data

from .identities import commune_identity
from .views import site_rate_limited  # outermost below: a 429 gets no cache headers

STYLESHEET = ":root{{--accent:{colour};--accent-dark:{dark};--brand:{colour};}}\n"


def _identity_or_404(request, insee: str):
    """The commune named by INSEE code or slug and its identity, or a 404."""
    commune = commune_get(insee_code_or_slug=insee[:20])
    if commune is None:
        raise Http404(_("Commune introuvable"))
    return commune, commune_identity(commune=commune, request=request)


@site_rate_limited
@require_GET
@cache_control(max_age=31_536_000, public=True, immutable=True)
def identity_stylesheet(request, insee: str):
    """The commune's colours as CSS custom properties (the URL carries their version)."""
    _commune, identity = _identity_or_404(request, insee)
    return HttpResponse(STYLESHEET.format(colour=identity.colour, dark=identity.colour_dark),
                        content_type="text/css; charset=utf-8")


@site_rate_limited
@require_GET
@cache_control(max_age=86_400, public=True)
def identity_monogram(request, insee: str):
    """The generated monogram, as an SVG file (manifest icon, profile without a logo)."""
    _commune, identity = _identity_or_404(request, insee)
    return HttpResponse(identity.monogram, content_type="image/svg+xml; charset=utf-8")


def _poster_page(pk: int):
    for model in (AlertPage, EventPage):
        page = model.objects.live().public().filter(pk=pk).first()
        if page is not None:
            return page
    return None


def qr_svg(url: str) -> str:
    """A QR code of `url` as inline SVG markup (segno; no style attribute, no script)."""
    markup = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000000",
                                                   omitsize=True)
    # segno's own output from a URL we built: no outside markup reaches it.
    return mark_safe(markup)  # noqa: S308


@site_rate_limited
@require_GET
def poster(request, pk: int):
    """A one-page A4 poster of an alert or an event, for the town hall's notice board."""
    page = _poster_page(pk)
    if page is None:
        raise Http404(_("Page introuvable"))
    commune = selectors.commune_of(page=page, request=request)
    url = page.get_full_url(request) or request.build_absolute_uri(page.url)
    return render(request, "frontend/poster.html", {
        "page": page, "commune": commune, "is_event": isinstance(page, EventPage),
        "identity": commune_identity(commune=commune, request=request) if commune else None,
        "qr": qr_svg(url), "page_url": url,
    })


@site_rate_limited
@require_GET
@cache_control(max_age=3600, public=True)
def identity_manifest(request, insee: str):
    """The commune's installed app: its name, its colour, its logo or monogram."""
    commune, identity = _identity_or_404(request, insee)
    icons = [{"src": reverse("frontend:identity-monogram", args=[commune.insee_code]),
              "type": "image/svg+xml", "sizes": "any", "purpose": "any"}]
    if identity.logo is not None:
        icons = [{"src": identity.logo.get_rendition(f"fill-{size}x{size}|format-png").url,
                  "type": "image/png", "sizes": f"{size}x{size}", "purpose": "any"}
                 for size in (192, 512)] + icons
    data = manifest_data(name=commune.title, short_name=commune.title[:12],
                         theme_color=identity.colour, icons=icons,
                         start_url=commune.url or "/")
    return JsonResponse(data, content_type="application/manifest+json")


@site_rate_limited
@require_GET
@cache_control(max_age=3600, public=True)
def identity_json(request, insee: str):
    """The identity for partner sites' widgets (any origin may read it: public data)."""
    commune = commune_get(insee_code_or_slug=insee[:20])
    if commune is None:
        response = JsonResponse({"error": _("Commune introuvable")}, status=404)
    else:
        identity = commune_identity(commune=commune, request=request)
        logo = (request.build_absolute_uri(
            identity.logo.get_rendition("fill-96x96|format-png").url)
            if identity.logo is not None else request.build_absolute_uri(
                reverse("frontend:identity-monogram", args=[commune.insee_code])))
        response = JsonResponse({"name": commune.title, "insee": commune.insee_code,
                                 "colour": identity.colour,
                                 "colour_dark": identity.colour_dark, "logo": logo})
    response["Access-Control-Allow-Origin"] = "*"
    return response

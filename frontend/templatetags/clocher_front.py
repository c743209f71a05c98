"""Template helpers of the resident site; every read goes through cms.content.selectors."""

from urllib.parse import urlencode

from django import template
from django.conf import settings

from cms.communes.models import CommuneHomePage
from cms.content import selectors

register = template.Library()


@register.simple_tag
def commune_for(page=None, commune=None):
    """The commune a page belongs to (the page itself for a commune home)."""
    if isinstance(commune, CommuneHomePage):
        return commune
    if isinstance(page, CommuneHomePage):
        return page
    return getattr(page, "commune", None) if page is not None else None


@register.simple_tag(takes_context=True)
def sections_of(context, commune):
    """The commune's sections, read once per request."""
    if commune is None:
        return {}
    request = context.get("request")
    cache = getattr(request, "_clocher_sections", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._clocher_sections = cache
    if commune.pk not in cache:
        cache[commune.pk] = selectors.commune_sections(commune=commune)
    return cache[commune.pk]


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or "" drops them)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = urlencode([(k, v) for k in params for v in params.getlist(k)]) if params else ""
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def map_tiles():
    return {"url": settings.CLOCHER_MAP_TILE_URL,
            "attribution": settings.CLOCHER_MAP_ATTRIBUTION}


@register.filter
def via(item, commune):
    """The neighbour an item comes from, or None for the commune's own items."""
    origin = getattr(item, "origin", None)
    if origin is None or commune is None:
        return None
    if getattr(origin, "pk", None) == commune.pk:
        return None
    return origin


@register.filter
def in_section(page, section):
    """Whether the page is the section or lies under it (tree paths: no query)."""
    path = getattr(page, "path", None)
    return bool(path and section is not None and path.startswith(section.path))


@register.filter
def weekday_name(code):
    from cms.content.blocks import WEEKDAYS

    return dict(WEEKDAYS).get(code, code)


@register.filter
def month_names(numbers):
    from cms.content.blocks import MONTHS

    names = dict(MONTHS)
    return ", ".join(str(names.get(str(number), number)) for number in numbers or [])


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None

"""Template helpers of the resident site; every read goes through cms.readmodel.listings."""

import re
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import CommuneSummary
from cms.core.locales import default_locale, locale_code
from cms.readmodel import listings as selectors
from frontend.calendar_links import calendar_links, share_links
from frontend.identities import commune_identity as identity_get
from frontend.links import page_links

register = template.Library()

# Translators: Django date formats (https://docs.djangoproject.com/en/5.2/ref/templates/
# builtins/#date); names of days and months come out in the active language.
DATE_STYLES = {
    "day": pgettext_lazy("date format: weekday, day, month, year", "l j F Y"),
    "day_time": pgettext_lazy("date format: weekday, day, month, year, time", "l j F Y, H:i"),
    "date": pgettext_lazy("date format: day, month, year", "j F Y"),
    "date_time": pgettext_lazy("date format: day, month, year, time", "j F Y, H:i"),
    "month": pgettext_lazy("date format: month, year", "F Y"),
    "short_datetime": pgettext_lazy("date format: numeric date and time", "d/m/Y H:i"),
}

# The search engine's kinds and date buckets (search.query), as the site names them.
SEARCH_KIND_LABELS = {"news": _("Actualités"), "event": _("Événements"), "alert": _("Alertes"),
                      "info": _("Infos pratiques"), "directory": _("Annuaire")}
SEARCH_DATE_LABELS = {"today": _("Aujourd'hui"), "weekend": _("Ce week-end"),
                      "week": _("Cette semaine"), "month": _("Ce mois-ci")}

# Labels defined in cms.content (choices, days, months) and shown on the resident site:
# cms has no catalogue, so frontend/locale carries their translations. Listed here so
# that makemessages keeps them; tests/frontend/test_i18n.py checks the list is complete.
BORROWED_LABELS = (
    gettext_noop("information"), gettext_noop("vigilance"), gettext_noop("urgent"),
    gettext_noop("association"), gettext_noop("commerce"), gettext_noop("producteur"),
    gettext_noop("service public"),
    gettext_noop("mairie et horaires"), gettext_noop("déchets et collecte"),
    gettext_noop("écoles et enfance"), gettext_noop("santé"), gettext_noop("transports"),
    gettext_noop("urbanisme et logement"), gettext_noop("autre"),
    gettext_noop("lundi"), gettext_noop("mardi"), gettext_noop("mercredi"),
    gettext_noop("jeudi"), gettext_noop("vendredi"), gettext_noop("samedi"),
    gettext_noop("dimanche"),
    gettext_noop("janvier"), gettext_noop("février"), gettext_noop("mars"),
    gettext_noop("avril"), gettext_noop("mai"), gettext_noop("juin"), gettext_noop("juillet"),
    gettext_noop("août"), gettext_noop("septembre"), gettext_noop("octobre"),
    gettext_noop("novembre"), gettext_noop("décembre"),
)


def local_date(value, style: str) -> str:
    """Format a date in the active language with one of DATE_STYLES."""
    if value in (None, ""):
        return ""
    return date_filter(value, str(DATE_STYLES[style]))


register.filter("local_date", local_date, expects_localtime=True)


@register.simple_tag(takes_context=True)
def content_language(context, page=None, commune=None) -> str:
    """The page's language when it differs from the interface's, else "".

    Wagtail serves the source page when a translation is missing (/de/ on a commune
    translated only into English): its content is then marked lang="fr" inside a German
    interface. `commune`: the page's commune, whose locale (already read for its
    listings) stands in for the page's when they are the same row.
    """
    if isinstance(page, Page) and isinstance(commune, Page) and page is not commune:
        _share_loaded_locale(page, commune)
    locale = getattr(page, "locale", None) if page is not None else None
    if locale is None:
        return ""
    language = locale.language_code
    active = context.get("LANGUAGE_CODE") or translation.get_language()
    return language if language != active else ""


def _share_loaded_locale(page, other) -> None:
    # One query less per page: the page and its commune are nearly always in one locale.
    if (not Page.locale.is_cached(page) and Page.locale.is_cached(other)
            and page.locale_id == other.locale_id):
        Page.locale.field.set_cached_value(page, other.locale)


@register.simple_tag
def commune_for(page=None, commune=None):
    """The commune a page belongs to (the page itself for a commune home).

    A view's commune (search, contributions) is the source page: in another language,
    its translation when there is one, so the menu leads to the resident's language.
    """
    if isinstance(commune, CommuneHomePage):
        if page is None and translation.get_language() != settings.LANGUAGE_CODE:
            return commune.localized
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
    """The name of the neighbour an item comes from, or None for the commune's own
    items: the commune page `with_origin()` set, else the name of the commune that
    shared it (`shared_via`, the commune's own listings of news and alerts)."""
    origin = getattr(item, "origin", None)
    if origin is None:
        return getattr(item, "shared_via", None)
    if commune is None or getattr(origin, "pk", None) == commune.pk:
        return None
    # The commune's own French page on its translated site (issue 28): not "via" itself.
    key = getattr(origin, "translation_key", None)
    if key is not None and key == getattr(commune, "translation_key", None):
        return None
    return origin.title


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


@register.filter
def search_kind(code):
    """A search hit's kind as the site names it (see SEARCH_KIND_LABELS); a kind a project
    adds, by its registered label."""
    from cms.content.kinds import kind_labels

    return SEARCH_KIND_LABELS.get(code) or kind_labels().get(code, code)


@register.filter
def facet_label(bucket, name):
    """A search facet's label in the active language (kinds and dates; others are names)."""
    labels = {"kind": SEARCH_KIND_LABELS, "dates": SEARCH_DATE_LABELS}.get(name)
    if labels is None:
        return bucket.label
    return labels.get(bucket.value, bucket.label)


@register.simple_tag(takes_context=True)
def page_url(context, page) -> str:
    """Wagtail's {% pageurl %} (relative on this site, absolute on another commune's),
    without its scan of every site per link (frontend/links.py)."""
    if not isinstance(page, Page | CommuneSummary):  # a missing variable renders as ""
        return ""
    return page_links(context.get("request")).url(page, _fallback_language(page)) or ""


def _fallback_language(page) -> str | None:
    """The active language when the page is a source (French) page shown on a translated
    site: its link keeps the resident in their language (cms.core.routing)."""
    active = translation.get_language()
    default = default_locale()
    if (not active or active == default.language_code
            or active not in dict(settings.LANGUAGES)
            or getattr(page, "locale_id", None) != default.pk):
        return None
    return active


def _other_language(page) -> str:
    """The page's language when it is not the interface's, else "" (a page, or a search
    hit, which carries its language code)."""
    locale_id = getattr(page, "locale_id", None)
    if locale_id is None and isinstance(getattr(page, "locale", None), str):  # a hit
        return page.locale if page.locale != translation.get_language() else ""
    if locale_id is None:
        return ""
    code = locale_code(locale_id)
    return code if code and code != translation.get_language() else ""


@register.filter
def lang_attr(page) -> str:
    """` lang="fr"` on an item of a listing that is not in the interface's language."""
    code = _other_language(page)
    return format_html(' lang="{}"', code) if code else ""


@register.filter
def untranslated_mark(page) -> str:
    """A short note after an item shown in French on a translated site."""
    if not _other_language(page):
        return ""
    return format_html(' <span class="untranslated">{}</span>', _("(en français)"))


@register.simple_tag(takes_context=True)
def language_menu(context, page, translations=None) -> list[dict]:
    """Every configured language, for the language switch: the page's translation where
    there is one, else the page (or its source) shown in that language's site."""
    if not isinstance(page, Page):
        return []
    links = page_links(context.get("request"))
    default = default_locale()
    active = translation.get_language()
    pages = {locale_code(other.locale_id): other
             for other in [page, *(live_translations(page) if translations is None
                                          else translations)]}
    source = pages.get(default.language_code, page)
    menu = []
    for code, name in settings.LANGUAGES:
        if code in pages:
            url = links.url(pages[code])
        else:
            url = links.url(source, None if code == default.language_code else code)
        menu.append({"code": code, "name": name, "url": url or "", "current": code == active})
    return menu


@register.simple_tag(takes_context=True)
def page_full_url(context, page) -> str:
    """The page's absolute URL (Page.get_full_url), e.g. for canonical and hreflang links."""
    if not isinstance(page, Page):
        return ""
    return page_links(context.get("request")).full_url(page) or ""


@register.simple_tag
def live_translations(page=None) -> list:
    """The page's live translations with their locales, read once for the hreflang
    links and the language menu."""
    if not isinstance(page, Page):
        return []
    return list(page.get_translations().live().select_related("locale"))


@register.simple_tag(takes_context=True)
def commune_identity(context, commune):
    """The commune's identity (frontend/identity.py), or None outside a commune."""
    if commune is None:
        return None
    return identity_get(commune=commune, request=context.get("request"))


@register.simple_tag(takes_context=True)
def active_filters(context, form, skip: str = "") -> list[dict]:
    """The filters set in the query string: label, value as shown, link that removes it."""
    request = context.get("request")
    if form is None or request is None:
        return []
    skipped = set(skip.split(",")) if skip else set()
    found = []
    for name, field in form.fields.items():
        if name in skipped or field.widget.is_hidden:
            continue
        value = request.GET.get(name, "").strip()
        if not value:
            continue
        choices = dict((str(key), label) for key, label in getattr(field, "choices", ()))
        if choices and value not in choices:
            continue
        found.append({"name": name, "label": field.label,
                      "value": choices.get(value, value)[:80],
                      "remove_url": query_with(context, **{name: None, "page": None})})
    return found


SEARCH_FACET_PARAMS = {"kind": "type", "commune": "lieu", "category": "categorie",
                       "dates": "quand"}
SEARCH_FACET_LABELS = {"kind": _("Type"), "commune": _("Commune"),
                       "category": _("Catégorie"), "dates": _("Date")}


@register.simple_tag(takes_context=True)
def search_active_facets(context, facets) -> list[dict]:
    """The search facets the resident ticked, in the shape of active_filters."""
    found = []
    for name, buckets in (facets or {}).items():
        param = SEARCH_FACET_PARAMS.get(name)
        for bucket in buckets or ():
            if param and getattr(bucket, "selected", False):
                found.append({"name": param, "label": SEARCH_FACET_LABELS[name],
                              "value": facet_label(bucket, name),
                              "remove_url": query_with(context, **{param: None, "page": None})})
    return found


PICTOGRAMS = {"event", "news", "alert", "info", "directory", "place", "tag", "culture",
              "sport", "fete", "marche", "environnement", "dechets", "travaux",
              "enfance-jeunesse", "solidarite", "sante", "transports", "patrimoine",
              "nature-randonnee", "vie-associative", "economie-locale"}


@register.simple_tag
def pictogram(name: str, label: str = "") -> str:
    """A pictogram of the static sprite (frontend/icons.svg); decorative unless labelled."""
    symbol = name if name in PICTOGRAMS else "tag"
    if label:
        return format_html('<svg class="icon" role="img" aria-label="{}" width="20" '
                           'height="20"><use href="{}#{}"></use></svg>',
                           label, static("frontend/icons.svg"), symbol)
    return format_html('<svg class="icon" aria-hidden="true" focusable="false" width="20" '
                       'height="20"><use href="{}#{}"></use></svg>',
                       static("frontend/icons.svg"), symbol)


@register.filter
def first_category(item):
    """The item's first category when the list prefetched them (no query per card)."""
    cache = getattr(item, "_prefetched_objects_cache", {})
    categories = cache.get("categories")
    return categories[0] if categories else None


@register.simple_tag(takes_context=True)
def event_take_away(context, event) -> dict:
    """An event page's calendar and sharing links, and its poster's address."""
    request = context.get("request")
    url = event.get_full_url(request) or ""
    place = ", ".join(part for part in (event.venue_name, event.address) if part)
    return {
        "calendars": calendar_links(title=event.title, start=event.start, end=event.end,
                                    all_day=event.all_day, place=place,
                                    details=event.summary or "", url=url),
        "shares": share_links(title=event.title, url=url, subject=event.title),
        "poster_url": reverse("frontend:poster", args=[event.pk]),
        "place": place,
        "places": [{"name": event.venue_name or event.title, "lat": event.latitude,
                    "lon": event.longitude, "url": url, "detail": event.address}]
        if event.latitude is not None and event.longitude is not None else [],
    }


@register.simple_tag
def event_map_tiles():
    """The tiles of an event page's small map, or None (off unless the operator sets it)."""
    return map_tiles() if getattr(settings, "CLOCHER_EVENT_MAP_TILES", False) else None


@register.filter
def plain_text(value) -> str:
    """Rich text as plain text, paragraphs kept apart by a space (posters)."""
    return strip_tags(re.sub(r"</(p|li|h[1-6])>|<br\s*/?>", " ", str(value or "")))

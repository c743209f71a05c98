"""A request validated and its scope resolved: the backend's query."""

import datetime as dt
import math
import re
from typing import Any

from django.utils.translation import gettext as _

from cms.communes.selectors import distance_km
from cms.content.kinds import kind_labels
from cms.readmodel.audience import withheld_page_ids
from cms.readmodel.listings import source_ids_translated

from ..backends import BackendQuery, get_search_backend
from ..expansion import expansions
from ..text import clean_query
from .communes import INSEE_CODE, commune_checked, communes_by_insee, neighbour_codes
from .contract import (
    LOCALES,
    MAX_LIST_VALUES,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    MAX_RESULT_WINDOW,
    MAX_TEXT_LENGTH,
    SCOPES,
    SOURCE_LOCALE,
    SearchRequest,
    SearchRequestError,
    one_of,
)
from .dates import DATE_BUCKETS, date_buckets, date_intent

# "St Nazaire", "Ste-Reine": the abbreviations of French place names, spelled out (typed as
# a word prefix, "st" matched "stade", "station"…).
_SAINT = re.compile(r"\b(st|ste)\b\.?", re.IGNORECASE)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
_EPCI = re.compile(r"^\d{9}$")
_DEPARTMENT = re.compile(r"^(\d{2,3}|2[AB])$")


def _finite(value: Any, param: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise SearchRequestError(param, _("A number is required.")) from error
    if not math.isfinite(number) or not low <= number <= high:
        raise SearchRequestError(param, _("Expected a number from %(low)s to %(high)s.") % {
            "low": f"{low:g}", "high": f"{high:g}"})
    return number


def _text(request: SearchRequest) -> str:
    if not isinstance(request.text, str):
        raise SearchRequestError("q", _("Expected text."))
    if len(request.text) > MAX_TEXT_LENGTH:
        raise SearchRequestError("q", _("At most %(count)d characters.") % {
            "count": MAX_TEXT_LENGTH})
    text = clean_query(request.text)
    if request.locale != "fr":  # "St" is "Street" in English
        return text
    return _SAINT.sub(lambda match: "saint" if len(match.group(1)) == 2 else "sainte", text)


def _values(values: tuple[str, ...], param: str, pattern: re.Pattern[str] | None = None,
            allowed: dict[str, str] | None = None) -> tuple[str, ...]:
    if len(values) > MAX_LIST_VALUES:
        raise SearchRequestError(param, _("At most %(count)d values.") % {
            "count": MAX_LIST_VALUES})
    for value in values:
        if not isinstance(value, str) or (allowed is not None and value not in allowed) or (
                pattern is not None and not pattern.match(value)):
            shown = str(value)[:40]
            raise SearchRequestError(param, _("Invalid value: %(value)s.") % {"value": shown})
    return tuple(dict.fromkeys(values))


def request_resolve(request: SearchRequest, now: dt.datetime) -> tuple[BackendQuery, dict]:
    """The backend query of a valid `request`, and the communes by INSEE code; raises
    SearchRequestError naming the first bad parameter."""
    backend = get_search_backend()
    text = _text(request)
    if request.locale not in LOCALES:
        raise SearchRequestError("locale", one_of(LOCALES))
    if request.scope not in SCOPES:
        raise SearchRequestError("scope", one_of(SCOPES))
    if not isinstance(request.page, int) or request.page < 1:
        raise SearchRequestError("page", _("A positive integer is required."))
    if not isinstance(request.page_size, int) or not 1 <= request.page_size <= MAX_PAGE_SIZE:
        raise SearchRequestError("page_size", _("From 1 to %(max)d.") % {"max": MAX_PAGE_SIZE})
    if request.page * request.page_size > MAX_RESULT_WINDOW:
        raise SearchRequestError("page", _(
            "Only the first %(count)d results can be paged through.") % {
            "count": MAX_RESULT_WINDOW})
    if request.dates is not None and request.dates not in DATE_BUCKETS:
        raise SearchRequestError("dates", one_of(DATE_BUCKETS))
    dates = request.dates
    if dates is None:
        text, dates = date_intent(text)
    communes = communes_by_insee()
    centre = commune_checked(request.commune) if request.commune else None
    point = None
    if request.point is not None:
        try:
            lat, lon = request.point
        except (TypeError, ValueError) as error:
            raise SearchRequestError("point", _("Expected (lat, lon).")) from error
        point = (_finite(lat, "lat", -90, 90), _finite(lon, "lon", -180, 180))
    radius = None
    if request.radius_km is not None:
        radius = _finite(request.radius_km, "radius_km", 0, MAX_RADIUS_KM)
    scope: dict[str, Any] = {}
    scope_communes: tuple[str, ...] | None = None
    if request.scope == "commune":
        if centre is None:
            raise SearchRequestError("commune", _("Required with scope=commune."))
        scope_communes = (centre.insee_code,)
    elif request.scope == "neighbours" and centre is not None:
        scope_communes = neighbour_codes(centre)
    elif request.scope == "radius":
        origin = point or (centre and centre.has_position
                           and (centre.latitude, centre.longitude)) or None
        if origin is None:
            raise SearchRequestError("point", _(
                "scope=radius needs a point or a commune with a position."))
        if radius is None:
            raise SearchRequestError("radius_km", _("Required with scope=radius."))
        if backend.capabilities.geo_distance:
            scope["geo"] = (origin[0], origin[1], radius)
        else:
            # Without geo queries the radius applies to communes' centroids (declared
            # by capabilities.geo_distance = False).
            scope_communes = tuple(code for code, commune in communes.items()
                                   if commune.has_position and distance_km(
                                       origin[0], origin[1], commune.latitude,
                                       commune.longitude) <= radius)
    elif request.scope == "epci":
        epci = request.epci or (centre.epci_code if centre else None)
        if not epci or not _EPCI.match(epci):
            raise SearchRequestError("epci", _("An EPCI SIREN code (9 digits) is required."))
        scope["epci"] = epci
    elif request.scope == "department":
        department = request.department or (centre.department_code if centre else None)
        if not department or not _DEPARTMENT.match(department):
            raise SearchRequestError("department", _("A department code is required."))
        scope["department"] = department
    origin = point or ((centre.latitude, centre.longitude)
                       if centre is not None and centre.has_position else None)
    buckets = date_buckets(now=now)
    # Searching from a commune's site: never what that commune holds back.
    exclude_ids = tuple(withheld_page_ids(insee_code=centre.insee_code)) if centre else ()
    fallback = SOURCE_LOCALE if request.locale != SOURCE_LOCALE and not request.strict_locale \
        else ""
    if fallback:  # a page translated into the locale is found there, not in French too
        exclude_ids += tuple(source_ids_translated(locale=request.locale))
    query = BackendQuery(
        text=text, locale=request.locale, fallback_locale=fallback, now=now,
        scope_communes=scope_communes, exclude_ids=exclude_ids,
        origin=origin, near_communes=neighbour_codes(centre) if centre else (),
        expansions=(expansions(text) if text and request.locale == "fr"
                    and backend.capabilities.query_expansion else ()),
        kinds=_values(tuple(request.kinds), "kind", allowed=kind_labels()),
        communes=_values(tuple(request.communes), "communes", pattern=INSEE_CODE),
        categories=_values(tuple(request.categories), "category", pattern=_SLUG),
        date_range=buckets[dates] if dates else None,
        date_buckets=buckets, include_past_events=bool(request.include_past_events),
        offset=(request.page - 1) * request.page_size, limit=request.page_size, **scope)
    return query, communes

"""The agenda of a commune and its neighbours: filters, list and month views.

EventIndexPage.get_context delegates here; every list comes from cms.readmodel.listings.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_list
from cms.readmodel import listings as selectors

from .home import CARD_CATEGORIES, EVENT_FIELDS
from .links import page_links
from .templatetags.clocher_front import local_date
from .widgets import Select

WHEN_CHOICES = [
    ("", _("Toutes dates")),
    ("aujourdhui", _("Aujourd'hui")),
    ("weekend", _("Ce week-end")),
    ("semaine", _("Les 7 prochains jours")),
    ("mois", _("Les 30 prochains jours")),
]
RADIUS_CHOICES = [("", _("Commune et voisines")), ("5", "5 km"), ("10", "10 km"),
                  ("20", "20 km"), ("30", "30 km"), ("50", "50 km")]
PAGE_SIZE = 20


class AgendaFilterForm(forms.Form):
    """Every field optional; a bad value is reported and ignored, never a server error."""

    vue = forms.ChoiceField(label=_("Affichage"), required=False, widget=Select,
                            choices=[("liste", _("Liste")), ("mois", _("Mois"))])
    mois = forms.RegexField(label=_("Mois"), required=False, regex=r"^\d{4}-\d{2}$",
                            widget=forms.TextInput(attrs={"type": "month"}))
    categorie = forms.ChoiceField(label=_("Catégorie"), required=False, widget=Select)
    quand = forms.ChoiceField(label=_("Quand"), required=False, choices=WHEN_CHOICES,
                              widget=Select)
    du = forms.DateField(label=_("À partir du"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    lieu = forms.ChoiceField(label=_("Commune"), required=False, widget=Select)
    rayon = forms.TypedChoiceField(label=_("Rayon"), required=False, choices=RADIUS_CHOICES,
                                   coerce=float, empty_value=None, widget=Select)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90,
                           widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].choices = [("", _("Toutes"))] + [
            (category.slug, category.name) for category in categories]
        self.fields["lieu"].choices = [("", _("Toutes les communes proches"))] + [
            (commune.insee_code, commune.title) for commune in communes]

    def clean_mois(self):
        value = self.cleaned_data.get("mois")
        if value:
            year, month = (int(part) for part in value.split("-"))
            if not (1 <= month <= 12 and 1900 < year < 3000):
                raise forms.ValidationError(_("Mois invalide."))
        return value

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise forms.ValidationError(_("Position incomplète."))
        if data.get("du") is not None and not (1900 < data["du"].year < 3000):
            self.add_error("du", _("Date invalide."))
        return data


@dataclass
class MonthDay:
    date: dt.date
    in_month: bool
    events: list = field(default_factory=list)


def _when_span(when: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    if when == "aujourdhui":
        return today, today + dt.timedelta(days=1)
    if when == "weekend":
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - dt.timedelta(days=1)
        return max(saturday, today), saturday + dt.timedelta(days=2)
    if when == "semaine":
        return today, today + dt.timedelta(days=7)
    if when == "mois":
        return today, today + dt.timedelta(days=30)
    return None


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def agenda_context(*, request, commune: CommuneHomePage) -> dict:
    """Build the agenda page's context from the request's filters."""
    around = selectors.neighbourhood_summaries(commune=commune)
    categories = list(selectors.category_list(locale_id=commune.locale_id))
    form = AgendaFilterForm(request.GET or None, categories=categories, communes=around)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        # Keep the valid fields, drop the others: a half-bad link still shows events.
        data = {name: value for name, value in getattr(form, "cleaned_data", {}).items()
                if name not in form.errors}
        if "__all__" in form.errors:
            data.pop("lat", None)
            data.pop("lon", None)

    scope = around
    point = (data["lat"], data["lon"]) if data.get("lat") is not None else None
    radius = data.get("rayon")
    if point is not None:
        scope = selectors.communes_around(communes=commune_list(), point=point,
                                          radius_km=radius or 10.0)
        if any(other.locale_id != commune.locale_id for other in scope):
            scope = [other.get_translation_or_none(commune.locale) or other for other in scope]
    elif radius:
        scope = selectors.neighbourhood_summaries(commune=commune, radius_km=radius)
    if data.get("lieu"):
        scope = [c for c in scope if c.insee_code == data["lieu"]] or scope

    category = data.get("categorie") or None
    today = timezone.localdate()
    view = data.get("vue") or "liste"
    context: dict = {"agenda_form": form, "agenda_view": view, "commune": commune,
                     "agenda_scope": scope, "categories": categories}

    if view == "mois":
        month_value = data.get("mois") or today.strftime("%Y-%m")
        year, month = (int(part) for part in month_value.split("-"))
        first = dt.date(year, month, 1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        events = selectors.with_origin(
            items=selectors.event_list_between(communes=scope, starts_from=_aware(first),
                                               starts_before=_aware(following),
                                               category=category)
            .only(*EVENT_FIELDS)[:500],
            communes=scope,
        )
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            days = [MonthDay(date=day, in_month=day.month == month) for day in week]
            weeks.append(days)
        by_date = {day.date: day for week in weeks for day in week}
        for event in events:
            start_day = timezone.localtime(event.start).date()
            end_day = timezone.localtime(event.end).date() if event.end else start_day
            day = max(start_day, first)
            while day <= min(end_day, following - dt.timedelta(days=1)):
                if day in by_date:
                    by_date[day].events.append(event)
                day += dt.timedelta(days=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        context.update(month_first=first, month_weeks=weeks, month_events=events,
                       month_previous=previous.strftime("%Y-%m"),
                       month_next=following.strftime("%Y-%m"))
    else:
        span = _when_span(data.get("quand") or "", today)
        starts_from = _aware(span[0]) if span else None
        starts_before = _aware(span[1]) if span else None
        if data.get("du"):
            starts_from = _aware(data["du"])
        queryset = selectors.event_list_filtered(
            communes=scope, category=category, starts_from=starts_from,
            starts_before=starts_before,
        ).only(*EVENT_FIELDS)
        items = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        items.object_list = selectors.with_origin(items=items.object_list, communes=scope)
        prefetch_related_objects(items.object_list, CARD_CATEGORIES)
        context["items"] = items

    context["places"] = _places(
        context["items"].object_list if "items" in context else context["month_events"],
        request=request,
    )
    context["subscribe_url"] = _subscription_path(commune=commune, category=category,
                                                  radius=radius, lieu=data.get("lieu"))
    return context


def _places(events, *, request) -> list[dict]:
    links = page_links(request)
    places = []
    for event in events:
        if event.latitude is None or event.longitude is None:
            continue
        places.append({
            "name": event.title,
            "lat": event.latitude,
            "lon": event.longitude,
            "url": links.url(event) or "",
            "detail": ", ".join(filter(None, [
                local_date(timezone.localtime(event.start), "short_datetime"),
                event.venue_name])),
        })
    return places


def _subscription_path(*, commune, category, radius, lieu) -> str:
    """The iCalendar feed (cms/api feeds) matching the filters that feeds understand."""
    params = {}
    if category:
        params["category"] = category
    if lieu:
        path = f"/api/feeds/{lieu}/events.ics"
    else:
        path = f"/api/feeds/{commune.insee_code}/neighbourhood/events.ics"
        if radius:
            params["radius_km"] = f"{radius:g}"
    return path + (f"?{urlencode(params)}" if params else "")

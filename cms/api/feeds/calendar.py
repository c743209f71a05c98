"""iCalendar feeds of events (RFC 5545): per commune, per neighbourhood, per category."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from cms.content.models import EventPage
from cms.readmodel import listings as selectors
from cms.readmodel.jsonld import canonical_url

from .scope import FeedParameterError, FeedScope, cacheable, in_category, scope_resolve

CALENDAR_UPCOMING_SIZE = 500
CALENDAR_PAST_SIZE = 200
# Calendar clients drop events that leave a subscribed feed: keep the last month's.
CALENDAR_PAST_DAYS = 30
PRODID = "-//Clocher//Agenda des communes//FR"


@require_GET
def events_calendar(
    request: HttpRequest, commune: str | None = None, category: str | None = None,
    neighbourhood: bool = False,
) -> HttpResponse:
    """Serve an RFC 5545 calendar of the scope's events (upcoming and last month's)."""
    try:
        scope = scope_resolve(request=request, commune=commune, neighbourhood=neighbourhood,
                              category=category)
    except FeedParameterError as error:
        return error.response()
    calendar = calendar_build(scope=scope, events=calendar_events(scope=scope))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    stem = scope.filename_stem
    filename = f"{stem}-agenda.ics" if stem else "agenda.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return cacheable(request, response)


def calendar_events(*, scope: FeedScope) -> list[EventPage]:
    upcoming = in_category(selectors.event_list_upcoming(communes=scope.communes),
                            scope.category)
    cutoff = timezone.now() - dt.timedelta(days=CALENDAR_PAST_DAYS)
    past = in_category(selectors.event_list_past(communes=scope.communes), scope.category)
    return selectors.with_origin(items=[
        *upcoming.prefetch_related("categories")[:CALENDAR_UPCOMING_SIZE],
        *past.filter(start__gte=cutoff).prefetch_related("categories")[:CALENDAR_PAST_SIZE],
    ], communes=scope.communes)


def calendar_build(*, scope: FeedScope, events: Iterable[EventPage]) -> Calendar:
    events = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{scope.name} : agenda")
    calendar.add("x-wr-caldesc", f"Événements de {scope.name}, publiés avec Clocher.")
    calendar.add("x-wr-timezone", _main_time_zone(events))
    # Polling hints read by Apple Calendar (REFRESH-INTERVAL, RFC 7986) and Outlook.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for page in events:
        calendar.add_component(_calendar_event(page, scope))
    if events:
        # One VTIMEZONE per TZID used, generated from the zoneinfo database. Covering the
        # events' span (not icalendar's default 1970-2038) keeps the transitions few.
        first = min(page.start for page in events).date() - dt.timedelta(days=366)
        last = max(page.end or page.start for page in events).date() + dt.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def _calendar_event(page: EventPage, scope: FeedScope) -> CalendarEvent:
    url = canonical_url(page)
    commune = scope.commune_of(page)
    zone = _zone(page.time_zone)
    event = CalendarEvent()
    # The UID must never change: calendar clients match updates to the event by it.
    event.add("uid", f"event-{page.pk}@{urlsplit(url).hostname or 'localhost'}")
    modified = page.last_published_at or page.latest_revision_created_at or timezone.now()
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2);
    # a fixed value also keeps the feed byte-identical between fetches (ETag).
    event.add("dtstamp", modified.astimezone(dt.UTC))
    event.add("last-modified", modified.astimezone(dt.UTC))
    if page.first_published_at:
        event.add("created", page.first_published_at.astimezone(dt.UTC))
        # Seconds since first publication: grows with every republication, as SEQUENCE
        # must, without counting revisions (a query per event).
        event.add("sequence", max(0, int((modified - page.first_published_at).total_seconds())))
    else:
        event.add("sequence", 0)
    if page.all_day:
        first_day = page.start.astimezone(zone).date()
        last_day = page.end.astimezone(zone).date() if page.end else first_day
        event.add("dtstart", first_day)
        # DTEND is exclusive: an event on the 21st ends on the 22nd (RFC 5545 3.6.1).
        event.add("dtend", last_day + dt.timedelta(days=1))
    else:
        event.add("dtstart", page.start.astimezone(zone))
        if page.end:
            event.add("dtend", page.end.astimezone(zone))
    event.add("summary", page.title)
    event.add("description", _calendar_description(page, url, scope.attribution(commune),
                                                   own=commune == scope.commune))
    location = ", ".join(filter(None, [page.venue_name, page.address,
                                       commune.title if commune else ""]))
    if location:
        event.add("location", location)
    if page.latitude is not None and page.longitude is not None:
        event.add("geo", (page.latitude, page.longitude))
    if url:
        event.add("url", url, parameters={"VALUE": "URI"})
    categories = [category.name for category in page.categories.all()]
    if categories:
        event.add("categories", categories)
    event.add("status", "CONFIRMED")
    event.add("class", "PUBLIC")
    # A public event the reader may attend: it must not block their free/busy time.
    event.add("transp", "TRANSPARENT")
    # No ORGANIZER: RFC 5545 3.8.4.3 reserves it for group-scheduled entries and wants a
    # calendar address; the organiser's name goes into the description instead.
    return event


def _calendar_description(page: EventPage, url: str, attribution: str, *, own: bool) -> str:
    lines = [page.summary] if page.summary else []
    facts = []
    if page.organiser:
        facts.append(f"Organisé par : {page.organiser}")
    contact = " · ".join(part for part in (page.organiser_phone, page.organiser_email) if part)
    if contact:
        facts.append(f"Contact : {contact}")
    if page.is_free:
        facts.append("Tarif : gratuit")
    elif page.price:
        facts.append(f"Tarif : {page.price}")
    if page.accessibility:
        facts.append(f"Accessibilité : {page.accessibility}")
    if page.registration_url:
        facts.append(f"Inscription : {page.registration_url}")
    if facts:
        lines.append("\n".join(facts))
    if attribution and not own:
        lines.append(attribution)
    if url:
        lines.append(url)
    return "\n\n".join(lines)


def _main_time_zone(events: Sequence[EventPage]) -> str:
    zones = Counter(page.time_zone for page in events if page.time_zone)
    return zones.most_common(1)[0][0] if zones else settings.TIME_ZONE


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

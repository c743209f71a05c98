"""Subscriptions: RSS 2.0 and Atom (news and alerts), iCalendar (events).

Per commune, per neighbourhood (the commune and its neighbours) and per category.
Every list comes from cms.content.selectors; this module only resolves the URL's
parameters, shapes the items and writes the formats. A bad parameter answers a JSON
body naming it (400, or 404 for an unknown commune), like the rest of the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.views.decorators.http import require_GET
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from wagtail.models import Locale, Page

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_get, commune_list
from cms.content import selectors
from cms.content.models import AlertPage, Category, EventPage, NewsPage

from . import conf
from .errors import error_body
from .jsonld import canonical_url

FEED_SIZE = 50
CALENDAR_UPCOMING_SIZE = 500
CALENDAR_PAST_SIZE = 200
# Calendar clients drop events that leave a subscribed feed: keep the last month's.
CALENDAR_PAST_DAYS = 30
# Readers and calendar clients poll; five minutes of staleness is fine for a village.
FEED_MAX_AGE = 300
PRODID = "-//Clocher//Agenda des communes//FR"


class FeedParameterError(Exception):
    """A URL or query parameter the feed cannot use; answered as JSON naming it."""

    def __init__(self, *, parameter: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.status = status

    def response(self) -> JsonResponse:
        body = error_body(self.status, {self.parameter: [self.message]})
        return JsonResponse(body, status=self.status, json_dumps_params={"ensure_ascii": False})


@dataclass
class FeedScope:
    """What a feed covers: resolved from the URL before any list is read."""

    request: HttpRequest
    communes: list[CommuneHomePage]
    commune: CommuneHomePage | None = None  # None for a category feed across all communes
    neighbourhood: bool = False
    category: Category | None = None
    _by_path: dict[str, CommuneHomePage] = field(default_factory=dict, repr=False)

    def commune_of(self, page: Page) -> CommuneHomePage | None:
        """Find the page's commune among those in scope, without a query per page; an
        item shared from outside the scope (federation/) carries its `origin`, set by
        selectors.with_origin."""
        origin = getattr(page, "origin", None)
        if origin is not None:
            return origin
        if not self._by_path:
            self._by_path = {commune.path: commune for commune in self.communes}
        for length in {len(path) for path in self._by_path}:
            commune = self._by_path.get(page.path[:length])
            if commune is not None:
                return commune
        return None

    def attribution(self, commune: CommuneHomePage | None) -> str:
        """The commune's name, or "via <neighbour>" for a neighbour's item."""
        if commune is None:
            return ""
        if self.commune is not None and commune.pk != self.commune.pk:
            return f"via {commune.title}"
        return commune.title

    @property
    def name(self) -> str:
        parts = []
        if self.commune is not None:
            parts.append(f"{self.commune.title} et alentours" if self.neighbourhood
                         else self.commune.title)
        if self.category is not None:
            parts.append(self.category.name)
        return " — ".join(parts) or "Clocher"

    @property
    def filename_stem(self) -> str:
        parts = []
        if self.commune is not None:
            parts.append(self.commune.slug)
            if self.neighbourhood:
                parts.append("alentours")
        if self.category is not None:
            parts.append(self.category.slug)
        return "-".join(parts)


# --- parameters ---------------------------------------------------------------------


def scope_resolve(
    *,
    request: HttpRequest,
    commune: str | None = None,
    neighbourhood: bool = False,
    category: str | None = None,
) -> FeedScope:
    """Turn the URL's commune and the query's radius_km and category into a FeedScope."""
    category_slug = category if category is not None else request.GET.get("category")
    found_category = _category_get(category_slug, parameter="category")
    if commune is None:
        return FeedScope(request=request, communes=list(commune_list()),
                         category=found_category)
    home = commune_get(insee_code_or_slug=commune)
    if home is None or not home.live:
        raise FeedParameterError(parameter="commune", status=404,
                                 message=f"Unknown commune: {commune}.")
    communes = [home]
    if neighbourhood:
        radius_km = _radius_km(request.GET.get("radius_km"))
        communes = selectors.neighbourhood_communes(commune=home, radius_km=radius_km)
    return FeedScope(request=request, communes=communes, commune=home,
                     neighbourhood=neighbourhood, category=found_category)


def _radius_km(value: str | None) -> float | None:
    if value is None:
        return None
    maximum = conf.neighbourhood_max_radius_km()  # the same bound as the JSON API's
    try:
        radius = float(value)
    except ValueError:
        radius = math.nan
    if not (math.isfinite(radius) and 0 <= radius <= maximum):
        raise FeedParameterError(parameter="radius_km",
                                 message=f"A number of kilometres from 0 to {maximum}.")
    return radius


def _category_get(slug: str | None, *, parameter: str) -> Category | None:
    if slug is None:
        return None
    category = Category.objects.filter(slug=slug, locale=Locale.get_default()).first()
    if category is None:
        raise FeedParameterError(parameter=parameter, message=f"Unknown category: {slug}.")
    return category


def _in_category(queryset: Any, category: Category | None) -> Any:
    return queryset if category is None else queryset.filter(categories=category)


# --- RSS and Atom: news and alerts --------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    page: Page
    title: str
    url: str
    guid: str
    description: str
    published: dt.datetime
    updated: dt.datetime
    author: str
    categories: tuple[str, ...]


def news_items(*, scope: FeedScope) -> list[FeedItem]:
    """News and alerts in force, newest first; urgent alerts are marked in the title."""
    news = _in_category(selectors.news_list(communes=scope.communes), scope.category)
    alerts = _in_category(selectors.alert_list_active(communes=scope.communes), scope.category)
    pages = selectors.with_origin(
        items=[*news.prefetch_related("categories")[:FEED_SIZE],
               *alerts.prefetch_related("categories")[:FEED_SIZE]],
        communes=scope.communes)
    items = [_alert_item(page, scope) if isinstance(page, AlertPage) else _news_item(page, scope)
             for page in pages]
    items.sort(key=lambda item: (item.published, item.page.pk), reverse=True)
    return items[:FEED_SIZE]


def _news_item(page: NewsPage, scope: FeedScope) -> FeedItem:
    published = _news_published(page)
    return _feed_item(
        page, scope, title=page.title, description=page.lead or page.search_description,
        published=published, extra_categories=(),
    )


def _alert_item(page: AlertPage, scope: FeedScope) -> FeedItem:
    title = f"Urgent : {page.title}" if page.is_urgent else f"Alerte : {page.title}"
    return _feed_item(
        page, scope, title=title, description=strip_tags(page.message).strip(),
        published=page.valid_from,
        extra_categories=("alerte", page.severity_name),
    )


def _feed_item(
    page: Page, scope: FeedScope, *, title: str, description: str, published: dt.datetime,
    extra_categories: Sequence[str],
) -> FeedItem:
    url = canonical_url(page)
    commune = scope.commune_of(page)
    return FeedItem(
        page=page,
        title=title,
        url=url,
        guid=_guid(page, url),
        description=description,
        published=published,
        updated=page.last_published_at or published,
        author=scope.attribution(commune),
        categories=(*extra_categories, *(category.name for category in page.categories.all())),
    )


def _news_published(page: NewsPage) -> dt.datetime:
    """The publication moment, or midnight of the article's date when the editor dated it."""
    zone = timezone.get_default_timezone()
    published = page.first_published_at
    if published is not None and published.astimezone(zone).date() == page.date:
        return published
    return dt.datetime.combine(page.date, dt.time.min, tzinfo=zone)


def _guid(page: Page, url: str) -> str:
    # A tag: URI (RFC 4151) keeps the id stable when the page's slug, and so its URL, change.
    host = urlsplit(url).hostname or "localhost"
    return f"tag:{host},2025:page/{page.pk}"


class NewsFeed(Feed):
    """RSS 2.0 of a commune's (or neighbourhood's) news and alerts."""

    feed_type = Rss201rev2Feed
    neighbourhood = False
    language = "fr"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = super().__call__(request, *args, **kwargs)
        except FeedParameterError as error:
            return error.response()
        return _cacheable(request, response)

    def get_object(self, request: HttpRequest, commune: str) -> FeedScope:  # type: ignore[override]
        return scope_resolve(request=request, commune=commune, neighbourhood=self.neighbourhood)

    def title(self, scope: FeedScope) -> str:
        return f"{scope.name} : actualités et alertes"

    def description(self, scope: FeedScope) -> str:
        return f"Actualités et alertes publiées par {scope.name}."

    def subtitle(self, scope: FeedScope) -> str:
        return self.description(scope)

    def link(self, scope: FeedScope) -> str:
        assert scope.commune is not None  # noqa: S101 (a news feed always has a commune)
        return canonical_url(scope.commune) or "/"

    def feed_url(self, scope: FeedScope) -> str:
        return scope.request.build_absolute_uri()

    def author_name(self, scope: FeedScope) -> str:
        return scope.commune.title if scope.commune else "Clocher"

    def items(self, scope: FeedScope) -> list[FeedItem]:
        return news_items(scope=scope)

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_description(self, item: FeedItem) -> str:
        return item.description

    def item_link(self, item: FeedItem) -> str:
        return item.url

    def item_guid(self, item: FeedItem) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item: FeedItem) -> dt.datetime:
        return item.published

    def item_updateddate(self, item: FeedItem) -> dt.datetime:
        return item.updated

    def item_author_name(self, item: FeedItem) -> str:
        return item.author

    def item_categories(self, item: FeedItem) -> tuple[str, ...]:
        return item.categories


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed


class NeighbourhoodNewsFeed(NewsFeed):
    neighbourhood = True


class NeighbourhoodNewsAtomFeed(NewsAtomFeed):
    neighbourhood = True


# --- iCalendar: events --------------------------------------------------------------


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
    return _cacheable(request, response)


def calendar_events(*, scope: FeedScope) -> list[EventPage]:
    upcoming = _in_category(selectors.event_list_upcoming(communes=scope.communes),
                            scope.category)
    cutoff = timezone.now() - dt.timedelta(days=CALENDAR_PAST_DAYS)
    past = _in_category(selectors.event_list_past(communes=scope.communes), scope.category)
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


# --- HTTP ---------------------------------------------------------------------------


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Add an ETag and a short public max-age; answer 304 to a matching conditional GET."""
    if response.status_code != 200:
        return response
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    # Public data without credentials: any site may read it from the browser.
    response["Access-Control-Allow-Origin"] = "*"
    return get_conditional_response(request, etag=etag, response=response)

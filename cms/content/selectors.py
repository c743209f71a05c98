"""Reads for commune content; the frontend and the API list pages only through these."""

from collections.abc import Iterable

from django.db.models import BooleanField, Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from cms.communes.models import CommuneHomePage

from .models import AlertPage, DirectoryEntryPage, EventPage, InfoPage, NewsPage

# Above this many accepted shares a listing joins them in SQL instead of inlining them.
SHARED_KEYS_INLINE_MAX = 500


def _within(queryset: QuerySet, communes: Iterable[CommuneHomePage]) -> QuerySet:
    """The communes' own pages, plus the pages other communes share with them and they
    accepted (federation/: a reference to the origin page, never a copy; hidden and
    declined ones are left out).

    Each page carries `shared_via` (the origin commune's name when it is listed as a
    shared item, else None) and `shared_featured` (a receiver featured it).
    """
    from federation.sharing.selectors import (
        shared_accepted_into,
        shared_annotations,
        shared_keys_into,
    )

    communes = list(communes)
    condition = Q(pk__in=[])
    for commune in communes:
        condition |= Q(path__startswith=commune.path, locale_id=commune.locale_id)
    if not communes:
        return queryset.filter(condition).annotate(
            shared_featured=Value(False), shared_via=Value(None, output_field=CharField()))
    locales = {commune.locale_id for commune in communes}
    shares = shared_accepted_into(communes=communes, limit=SHARED_KEYS_INLINE_MAX + 1)
    if len(shares) > SHARED_KEYS_INLINE_MAX:
        condition |= Q(translation_key__in=shared_keys_into(communes=communes),
                       locale_id__in=locales)
        return queryset.filter(condition).annotate(**shared_annotations(communes=communes))
    # The few accepted shares are read first and inlined as constants: a subquery per
    # row (or an OR with a subquery) keeps PostgreSQL off the page-tree index, ~300 ms
    # a listing at 200,000 pages instead of a few.
    if shares:
        condition |= Q(translation_key__in=list(shares), locale_id__in=locales)
    featured = [key for key, (_via, is_featured) in shares.items() if is_featured]
    return queryset.filter(condition).annotate(
        shared_featured=Case(When(translation_key__in=featured, then=Value(True)),
                             default=Value(False), output_field=BooleanField()),
        shared_via=Case(*(When(translation_key=key, then=Value(via))
                          for key, (via, _featured) in shares.items()),
                        default=Value(None), output_field=CharField()),
    )


def alert_list_active(*, communes: Iterable[CommuneHomePage]) -> QuerySet[AlertPage]:
    """Alerts in force now; urgent first, then the most recent."""
    now = timezone.now()
    return (
        _within(AlertPage.objects.live(), communes)
        .filter(valid_from__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .order_by("-severity", "-valid_from", "pk")
    )


def news_list(*, communes: Iterable[CommuneHomePage]) -> QuerySet[NewsPage]:
    return (
        _within(NewsPage.objects.live(), communes)
        .select_related("image")
        # Shared news a receiving commune features come first.
        .order_by("-shared_featured", "-date", "-first_published_at", "-pk")
    )


def event_list_upcoming(*, communes: Iterable[CommuneHomePage]) -> QuerySet[EventPage]:
    """Events not over yet, soonest first (an event without end is over once started)."""
    now = timezone.now()
    return (
        _within(EventPage.objects.live(), communes)
        .filter(Q(end__gte=now) | Q(end__isnull=True, start__gte=now))
        .select_related("image")
        .order_by("start", "pk")
    )


def event_list_past(*, communes: Iterable[CommuneHomePage]) -> QuerySet[EventPage]:
    now = timezone.now()
    return (
        _within(EventPage.objects.live(), communes)
        .filter(Q(end__lt=now) | Q(end__isnull=True, start__lt=now))
        .order_by("-start", "-pk")
    )


def info_list(*, communes: Iterable[CommuneHomePage]) -> QuerySet[InfoPage]:
    return _within(InfoPage.objects.live(), communes).order_by("topic", "title")


def directory_list(
    *, communes: Iterable[CommuneHomePage], kind: str | None = None
) -> QuerySet[DirectoryEntryPage]:
    queryset = _within(DirectoryEntryPage.objects.live(), communes)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("image").order_by("title", "pk")


def commune_of(*, page) -> CommuneHomePage | None:
    """The commune a content page belongs to (its CommuneHomePage ancestor)."""
    return CommuneHomePage.objects.ancestor_of(page, inclusive=True).first()


def neighbourhood_communes(
    *, commune: CommuneHomePage, radius_km: float | None = None
) -> list[CommuneHomePage]:
    """The commune and its neighbours, in the commune's own locale."""
    from wagtail.models import Locale

    from cms.communes.selectors import commune_neighbours

    source = commune if commune.locale_id == Locale.get_default().pk else (
        commune.get_translation_or_none(Locale.get_default()) or commune
    )
    communes = [commune]
    for neighbour in commune_neighbours(commune=source, radius_km=radius_km):
        localized = (
            neighbour.commune
            if neighbour.commune.locale_id == commune.locale_id
            else neighbour.commune.get_translation_or_none(commune.locale)
        )
        if localized is not None:
            communes.append(localized)
    return communes


def with_origin(*, items: Iterable, communes: list[CommuneHomePage]) -> list:
    """Set `origin` (the commune each item comes from) on items listed for these communes.

    One pass over paths, instead of one ancestor query per item for "via <commune>";
    items shared from communes outside the list (federation/) cost one query in all.
    """
    items = list(items)
    missing = []
    for item in items:
        item.origin = next((c for c in communes if item.path.startswith(c.path)), None)
        if item.origin is None:
            missing.append(item)
    if missing:
        steplen = CommuneHomePage.steplen
        prefixes = {item.path[:length] for item in missing
                    for length in range(steplen, len(item.path), steplen)}
        homes = {home.path: home for home in CommuneHomePage.objects.filter(path__in=prefixes)}
        for item in missing:
            item.origin = next((homes[item.path[:length]]
                                for length in range(steplen, len(item.path), steplen)
                                if item.path[:length] in homes), None)
    return items


# --- Resident site (frontend/): filters and views built on the listings above -------


def commune_sections(*, commune: CommuneHomePage) -> dict[str, object]:
    """The commune's section index pages by name ("news", "events", "alerts", "info",
    "directory"), for the site's navigation."""
    from .models import (
        AlertIndexPage,
        DirectoryIndexPage,
        EventIndexPage,
        InfoIndexPage,
        NewsIndexPage,
    )

    names = {NewsIndexPage: "news", EventIndexPage: "events", AlertIndexPage: "alerts",
             InfoIndexPage: "info", DirectoryIndexPage: "directory"}
    sections: dict[str, object] = {}
    for page in commune.get_children().live().specific().order_by("path"):
        name = names.get(type(page))
        if name and name not in sections:
            sections[name] = page
    return sections


def category_list(*, locale_id: int) -> QuerySet:
    from .models import Category

    return Category.objects.filter(locale_id=locale_id).order_by("name")


def communes_around(
    *, communes: Iterable[CommuneHomePage], point: tuple[float, float], radius_km: float
) -> list[CommuneHomePage]:
    """Those of `communes` whose centre lies within radius_km of point (lat, lon)."""
    from cms.communes.selectors import distance_km

    latitude, longitude = point
    return [
        commune for commune in communes
        if commune.has_position
        and distance_km(latitude, longitude, commune.latitude, commune.longitude) <= radius_km
    ]


def event_list_filtered(
    *,
    communes: Iterable[CommuneHomePage],
    category: str | None = None,
    starts_from=None,
    starts_before=None,
) -> QuerySet[EventPage]:
    """Upcoming events of these communes, optionally in a category (slug) and a date span.

    The span keeps events that overlap [starts_from, starts_before).
    """
    queryset = event_list_upcoming(communes=communes)
    if category:
        queryset = queryset.filter(categories__slug=category).distinct()
    if starts_before is not None:
        queryset = queryset.filter(start__lt=starts_before)
    if starts_from is not None:
        queryset = queryset.filter(
            Q(end__gte=starts_from) | Q(end__isnull=True, start__gte=starts_from)
        )
    return queryset


def event_list_between(
    *, communes: Iterable[CommuneHomePage], starts_from, starts_before,
    category: str | None = None,
) -> QuerySet[EventPage]:
    """Events (past ones included) overlapping [starts_from, starts_before): a month view."""
    queryset = (
        _within(EventPage.objects.live(), communes)
        .filter(start__lt=starts_before)
        .filter(Q(end__gte=starts_from) | Q(end__isnull=True, start__gte=starts_from))
        .order_by("start", "pk")
    )
    if category:
        queryset = queryset.filter(categories__slug=category).distinct()
    return queryset


def producer_list(
    *,
    communes: Iterable[CommuneHomePage],
    product: str = "",
    month: int | None = None,
    market_day: str = "",
) -> list[DirectoryEntryPage]:
    """Producers of these communes selling `product` (substring, any case), in season in
    `month` (1-12), or at a market on `market_day` ("mon"…"sun").

    Products and markets live in StreamFields: the filter runs on the few producers of a
    neighbourhood, in Python, rather than on JSON in SQL (SQLite and PostgreSQL differ).
    """
    needle = product.strip().casefold()
    producers = []
    for entry in directory_list(communes=communes, kind="producer"):
        products = [block.value for block in entry.products]
        if needle and not any(needle in value["name"].casefold() for value in products):
            continue
        if month and not any(str(month) in (value["months"] or []) for value in products):
            continue
        if market_day and not any(block.value["day"] == market_day
                                  for block in entry.market_days):
            continue
        producers.append(entry)
    return producers


def event_get_live(*, pk: int) -> EventPage | None:
    """A published event by id, for its .ics download."""
    return EventPage.objects.live().public().filter(pk=pk).first()


def communes_by_insee(*, codes: Iterable[str]) -> dict[str, CommuneHomePage]:
    """Live communes (source locale) by INSEE code, e.g. to place search hits on a map."""
    from cms.communes.selectors import commune_list

    return {commune.insee_code: commune
            for commune in commune_list().filter(insee_code__in=list(codes))}

"""Reads for commune content; the frontend and the API list pages only through these."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from cms.communes.models import CommuneHomePage

from .models import AlertPage, DirectoryEntryPage, EventPage, InfoPage, NewsPage


def _within(queryset: QuerySet, communes: Iterable[CommuneHomePage]) -> QuerySet:
    condition = Q(pk__in=[])
    for commune in communes:
        condition |= Q(path__startswith=commune.path, locale_id=commune.locale_id)
    return queryset.filter(condition)


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
        .order_by("-date", "-first_published_at", "-pk")
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

    One pass over paths, instead of one ancestor query per item for "via <commune>".
    """
    items = list(items)
    for item in items:
        item.origin = next((c for c in communes if item.path.startswith(c.path)), None)
    return items

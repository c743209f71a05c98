"""Reads for commune content; the frontend and the API list pages only through these."""

from collections.abc import Iterable

from django.db.models import BooleanField, Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from cms.communes.models import CommuneHomePage
from cms.content.models import AlertPage, DirectoryEntryPage, EventPage, InfoPage, NewsPage
from cms.core.locales import default_locale

from .page_listing import PageListing, default_language_code, item_filters

# Above this many accepted shares a listing joins them in SQL instead of inlining them.
SHARED_KEYS_INLINE_MAX = 500


def shares_accepted(*, communes: Iterable[CommuneHomePage]):
    """The audiences a listing of these communes reads (cms.readmodel.audience.Shares):
    the items shared with them and shown there, and those the first commune (the one
    whose site it is) holds back. Read it once to build several listings of the same
    communes (the `shares` argument of the listings below)."""
    from cms.readmodel.audience import shares_for

    communes = list(communes)
    return shares_for(communes=communes, viewer=communes[0] if communes else None,
                      limit=SHARED_KEYS_INLINE_MAX)


def _within(queryset: QuerySet, communes: Iterable[CommuneHomePage],
            shares=None) -> QuerySet:
    """What the first of these communes shows of its own and the others' items: their
    own pages and those shared with them and shown there (a reference to the origin
    page, never a copy), less the items the first commune holds back (pending, hidden,
    declined: cms.readmodel.audience). Items of mirrored remote communes are never
    listed as their own: they are shown only where accepted.

    Each page carries `shared_via` (the origin commune's name when it is listed as a
    shared item, else None) and `shared_featured` (a receiver featured it).
    """
    from cms.readmodel import audience

    communes = list(communes)
    # The page type as a column of the page table (subclasses included: the same rows
    # as the join alone): PostgreSQL then probes the type's own table only for the
    # commune's pages of that type, not for all ~1,000 of them (about half a listing's
    # time at 200,000 pages).
    queryset = queryset.type(queryset.model)
    condition = Q(pk__in=[])
    for commune in communes:
        if not getattr(commune, "origin_server", ""):
            condition |= Q(path__startswith=commune.path, locale_id=commune.locale_id)
    if not communes:
        return queryset.filter(condition).annotate(**audience.no_shared_annotations())
    if shares is None:
        shares = shares_accepted(communes=communes)
    locales = {commune.locale_id for commune in communes}
    fallback = source_fallback(communes=communes)
    if fallback is not None:
        # A translated site lists what is not translated yet in French (issue 28).
        source_paths, translated = fallback
        for path in source_paths:
            condition |= Q(path__startswith=path, locale_id=default_locale().pk)
        locales.add(default_locale().pk)
        queryset = queryset.exclude(Q(locale_id=default_locale().pk)
                                    & Q(translation_key__in=translated))
    if not shares.complete:
        condition |= Q(translation_key__in=audience.shared_keys_into(communes=communes),
                       locale_id__in=locales)
        return (queryset.filter(condition)
                .exclude(translation_key__in=audience.withheld_keys_into(viewer=communes[0]))
                .annotate(**audience.shared_annotations(communes=communes)))
    if shares.withheld:
        queryset = queryset.exclude(translation_key__in=list(shares.withheld))
    if not shares.accepted:
        return queryset.filter(condition).annotate(**audience.no_shared_annotations())
    # The few accepted shares are read first and inlined as constants: a subquery per
    # row (or an OR with a subquery) keeps PostgreSQL off the page-tree index, ~300 ms
    # a listing at 200,000 pages instead of a few.
    accepted = shares.accepted
    condition |= Q(translation_key__in=list(accepted), locale_id__in=locales)
    featured = [key for key, (_via, is_featured) in accepted.items() if is_featured]
    return queryset.filter(condition).annotate(
        shared_featured=Case(When(translation_key__in=featured, then=Value(True)),
                             default=Value(False), output_field=BooleanField()),
        shared_via=Case(*(When(translation_key=key, then=Value(via))
                          for key, (via, _featured) in accepted.items()),
                        default=Value(None), output_field=CharField()),
    )


def source_fallback(*, communes: list) -> tuple[list[str], QuerySet] | None:
    """For a listing in a translated locale: the source-locale trees of its communes
    (their pages not yet translated are listed in French, never hidden) and the
    translation keys already live in the listing's locales (those stay out in French).
    None for a listing in the source locale."""
    from wagtail.models import Page

    default = default_locale()
    translated = [c for c in communes if c.locale_id != default.pk
                  and not getattr(c, "origin_server", "")]
    if not translated:
        return None
    paths = list(CommuneHomePage.objects.filter(
        translation_key__in=[c.translation_key for c in translated],
        locale_id=default.pk).values_list("path", flat=True))
    keys = Page.objects.live().filter(
        locale_id__in={c.locale_id for c in translated}).values("translation_key")
    return paths, keys


def source_ids_translated(*, locale: str) -> list[int]:
    """The source-locale pages with a live translation in `locale`: a search in `locale`
    that also looks at the source's pages leaves these out (their translation answers)."""
    from wagtail.models import Page

    keys = Page.objects.live().filter(locale__language_code=locale).values("translation_key")
    return list(Page.objects.filter(locale_id=default_locale().pk, translation_key__in=keys)
                .values_list("pk", flat=True))


def alert_list_active(*, communes: Iterable[CommuneHomePage],
                      shares: dict | None = None) -> QuerySet[AlertPage]:
    """Alerts in force now; urgent first, then the most recent."""
    now = timezone.now()
    return (
        _within(AlertPage.objects.live(), communes, shares)
        .filter(valid_from__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .order_by("-severity", "-valid_from", "pk")
    )


def news_list(*, communes: Iterable[CommuneHomePage],
              shares: dict | None = None) -> QuerySet[NewsPage]:
    return (
        _within(NewsPage.objects.live(), communes, shares)
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


def info_list(*, communes: Iterable[CommuneHomePage],
              shares: dict | None = None) -> QuerySet[InfoPage]:
    # The page id last: entries of one topic may share a title (the API's tie-break too).
    return (_within(InfoPage.objects.live(), communes, shares)
            .order_by("topic", "title", "pk"))


def directory_list(
    *, communes: Iterable[CommuneHomePage], kind: str | None = None,
    shares: dict | None = None,
) -> QuerySet[DirectoryEntryPage]:
    queryset = _within(DirectoryEntryPage.objects.live(), communes, shares)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("image").order_by("title", "pk")


def commune_of(*, page, request=None) -> CommuneHomePage | None:
    """The commune a content page belongs to (its CommuneHomePage ancestor).

    Given the request Wagtail routed to the page, the site's root page when it is that
    commune: routing loaded it already (no query; issue 6).
    """
    from wagtail.models import Site

    site = Site.find_for_request(request) if request is not None else None
    # The path first: `specific` is loaded by routing only for the root it went through
    # (another locale's tree is routed from the root's translation).
    if site is not None and page.path.startswith(site.root_page.path):
        root = site.root_page.specific
        if isinstance(root, CommuneHomePage):
            return root
    return CommuneHomePage.objects.ancestor_of(page, inclusive=True).first()


def neighbourhood_communes(
    *, commune: CommuneHomePage, radius_km: float | None = None
) -> list[CommuneHomePage]:
    """The commune and its neighbours, in the commune's own locale."""
    from cms.communes.selectors import commune_neighbours

    source = _source_commune(commune)
    communes = [commune]
    for neighbour in commune_neighbours(commune=source, radius_km=radius_km):
        localized = (
            neighbour.commune
            if neighbour.commune.locale_id == commune.locale_id
            # Not translated yet: its French pages are listed (issue 28).
            else neighbour.commune.get_translation_or_none(commune.locale) or neighbour.commune
        )
        if localized is not None:
            communes.append(localized)
    return communes


def neighbourhood_summaries(
    *, commune: CommuneHomePage, radius_km: float | None = None
) -> list:
    """neighbourhood_communes, the neighbours as CommuneSummary values (their name, codes
    and place in the page tree: what listings, "via" attributions and links read), the
    commune itself first as its page. One query for the neighbours, one more to
    translate them all into the commune's locale (those not translated yet stay in
    the source locale: their pages are listed in French, never hidden)."""
    from cms.communes.selectors import CommuneSummary, commune_neighbour_summaries

    source = _source_commune(commune)
    neighbours = [neighbour.commune for neighbour in
                  commune_neighbour_summaries(commune=source, radius_km=radius_km)]
    others = [neighbour for neighbour in neighbours if neighbour.locale_id != commune.locale_id]
    if others:
        # Page.get_translation_or_none for each, in one query: untranslated ones are left out.
        translations = {
            row["translation_key"]: CommuneSummary(**row)
            for row in CommuneHomePage.objects.filter(
                translation_key__in=[other.translation_key for other in others],
                locale_id=commune.locale_id).values(*CommuneSummary.FIELDS)}
        neighbours = [
            neighbour if neighbour.locale_id == commune.locale_id
            # Not translated yet: its French pages are listed (issue 28).
            else translations.get(neighbour.translation_key, neighbour)
            for neighbour in neighbours]
    return [commune, *(neighbour for neighbour in neighbours if neighbour is not None)]


def _source_commune(commune: CommuneHomePage) -> CommuneHomePage:
    """The commune in the source locale (neighbours are reckoned among those)."""
    from wagtail.models import Locale

    if commune.locale.language_code == default_language_code():
        return commune
    return commune.get_translation_or_none(Locale.get_default()) or commune


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
    from cms.content.models import (
        AlertIndexPage,
        DirectoryIndexPage,
        EventIndexPage,
        InfoIndexPage,
        NewsIndexPage,
    )

    names = {NewsIndexPage: "news", EventIndexPage: "events", AlertIndexPage: "alerts",
             InfoIndexPage: "info", DirectoryIndexPage: "directory"}
    sections: dict[str, object] = {}
    # specific(defer=True): the section's class without one query per page type (links
    # and the menu need only the tree fields).
    for page in commune.get_children().live().order_by("path").specific(defer=True):
        name = names.get(type(page))
        if name and name not in sections:
            sections[name] = page
    if len(sections) < len(names) and commune.locale_id != default_locale().pk:
        # A translated site offers the sections not translated yet, in French (issue 28).
        source = commune.get_translation_or_none(default_locale())
        if source is not None:
            for page in source.get_children().live().order_by("path").specific(defer=True):
                name = names.get(type(page))
                if name and name not in sections:
                    sections[name] = page
    return sections


def category_list(*, locale_id: int) -> QuerySet:
    from cms.content.models import Category

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
) -> "PageListing":
    """Upcoming events of these communes, optionally in a category (slug) and a date span,
    soonest first: the API's event list (its read model), as pages.

    The span keeps events that overlap [starts_from, starts_before).
    """
    now = timezone.now()
    filters = item_filters(communes=communes, category=category)
    filters.ends_after = max(now, starts_from) if starts_from is not None else now
    filters.start_before = starts_before
    return PageListing(model=EventPage, kind="event", filters=filters)


def event_list_between(
    *, communes: Iterable[CommuneHomePage], starts_from, starts_before,
    category: str | None = None,
) -> "PageListing":
    """Events (past ones included) overlapping [starts_from, starts_before): a month view."""
    filters = item_filters(communes=communes, category=category)
    filters.ends_after = starts_from
    filters.start_before = starts_before
    return PageListing(model=EventPage, kind="event", filters=filters)


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

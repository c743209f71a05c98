"""Reads of the public API; views call these and nothing else touches the models."""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Exists, F, Func, OrderBy, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import ASin, Cast, Coalesce, Cos, Power, Radians, Sin, Sqrt

from cms.communes.selectors import EARTH_RADIUS_KM, commune_list, commune_neighbours
from cms.readmodel.audience import remote_shown, shared_keys_into_ids, withheld_keys

from . import microcache
from .cursors import SortKey
from .models import Change, ChangeAudience, ChangeSequence, PublishedItem, PublishedItemCategory
from .orderings import ITEM_ORDERINGS
from .payloads import detail_only_fields

COMMUNES_CACHE_KEY = "clocher-api:communes:v1"
COMMUNES_CACHE_SECONDS = 60
NEIGHBOURS_CACHE_SECONDS = 600

# Total orders, each ending with the primary key (see cursors.py); a kind's own comes
# from the registry (orderings.py).
COMMUNE_ORDERING = [SortKey("insee_code", type=str), SortKey("id")]
CHANGE_ORDERING = [SortKey("seq")]


@dataclass(frozen=True)
class CommuneInfo:
    id: int
    insee: str
    slug: str
    name: str
    epci_code: str
    department_code: str
    latitude: float | None
    longitude: float | None


def communes_directory() -> dict[str, CommuneInfo]:
    """Live source-locale communes by INSEE code and by slug (cached briefly: every
    request validates its commune parameters against it)."""
    directory = microcache.get(COMMUNES_CACHE_KEY)
    if directory is not None:
        return directory
    directory = cache.get(COMMUNES_CACHE_KEY)
    if directory is None:
        directory = {}
        for commune in commune_list().only("id", "insee_code", "slug", "title", "epci_code",
                                           "department_code", "latitude", "longitude"):
            info = CommuneInfo(id=commune.pk, insee=commune.insee_code, slug=commune.slug,
                               name=commune.title, epci_code=commune.epci_code,
                               department_code=commune.department_code,
                               latitude=commune.latitude, longitude=commune.longitude)
            directory[info.slug] = info
            directory[info.insee] = info
        cache.set(COMMUNES_CACHE_KEY, directory, COMMUNES_CACHE_SECONDS)
    # Unpickling 400 entries from a cache on every request costs ~1 ms.
    microcache.put(COMMUNES_CACHE_KEY, directory)
    return directory


def commune_find(*, insee_or_slug: str) -> CommuneInfo | None:
    directory = communes_directory()
    return directory.get(insee_or_slug) or directory.get(insee_or_slug.upper())


def commune_ids_in(*, epci_code: str | None = None,
                   department_code: str | None = None) -> set[int]:
    return {info.id for info in communes_directory().values()
            if (epci_code is None or info.epci_code == epci_code)
            and (department_code is None or info.department_code == department_code)}


def neighbourhood_ids(*, commune: CommuneInfo, radius_km: float) -> list[int]:
    """The commune and its neighbours (commune_neighbours), cached per radius."""
    cache_key = f"clocher-api:neighbours:{commune.id}:{radius_km:g}"
    ids = microcache.get(cache_key)
    if ids is not None:
        return ids
    ids = cache.get(cache_key)
    if ids is None:
        home = commune_list(live_only=False).get(pk=commune.id)
        ids = [commune.id, *(n.commune.pk for n in commune_neighbours(commune=home,
                                                                      radius_km=radius_km))]
        cache.set(cache_key, ids, NEIGHBOURS_CACHE_SECONDS)
    microcache.put(cache_key, ids)
    return ids


@dataclass(kw_only=True)
class ItemFilters:
    """Validated filters of an item list (see params.py); None means "not filtered"."""

    commune_ids: set[int] | None = None
    # Communes whose site or feed the list is (source-locale ids): the items they hold
    # back (pending, hidden, declined) are left out even where another commune owns them.
    viewer_ids: set[int] = field(default_factory=set)
    locale: str | None = None
    # The resident site: items not yet translated into `locale` are listed in this
    # (source) language rather than left out (issue 28).
    fallback_locale: str | None = None
    categories: list[str] = field(default_factory=list)
    updated_since: dt.datetime | None = None
    start_after: dt.datetime | None = None
    start_before: dt.datetime | None = None
    ends_after: dt.datetime | None = None  # events: not over yet; alerts: still valid
    starts_before: dt.datetime | None = None  # alerts: already valid
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    point: tuple[float, float, float] | None = None  # lat, lon, radius_km
    severity: int | None = None
    extra: dict = field(default_factory=dict)  # payload-backed exact filters


def _distance_km(latitude: float, longitude: float):
    dlat = Radians(F("latitude") - latitude) / 2
    dlon = Radians(F("longitude") - longitude) / 2
    haversine = (Power(Sin(dlat), 2)
                 + math.cos(math.radians(latitude)) * Cos(Radians(F("latitude")))
                 * Power(Sin(dlon), 2))
    return 2 * EARTH_RADIUS_KM * ASin(Sqrt(haversine))


def item_list(*, kind: str, filters: ItemFilters) -> QuerySet[PublishedItem]:
    """Live items of one kind matching the filters, in the kind's total order."""
    from .cursors import order_by

    queryset = PublishedItem.objects.filter(kind=kind)
    if filters.locale and filters.fallback_locale and filters.fallback_locale != filters.locale:
        translated = PublishedItem.objects.filter(
            locale=filters.locale, translation_key=OuterRef("translation_key"))
        queryset = queryset.filter(
            Q(locale=filters.locale)
            | Q(locale=filters.fallback_locale) & ~Exists(translated))
    elif filters.locale:
        queryset = queryset.filter(locale=filters.locale)
    if filters.commune_ids is not None:
        queryset = queryset.filter(_own_or_shared(commune_ids=filters.commune_ids, kind=kind))
    else:
        queryset = queryset.filter(listed())
    if filters.viewer_ids:
        queryset = queryset.exclude(translation_key__in=withheld_keys(
            commune_ids=filters.viewer_ids, kind=kind))
    if filters.categories:
        queryset = queryset.filter(Exists(PublishedItemCategory.objects.filter(
            item_id=OuterRef("pk"), slug__in=filters.categories)))
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    if filters.start_after:
        queryset = queryset.filter(start__gte=filters.start_after)
    if filters.start_before:
        queryset = queryset.filter(start__lt=filters.start_before)
    if filters.ends_after:
        queryset = queryset.filter(Q(end__gte=filters.ends_after) | (
            Q(end__isnull=True) if kind == "alert" else Q(pk__in=[])))
    if filters.starts_before:
        queryset = queryset.filter(start__lte=filters.starts_before)
    if filters.severity:
        queryset = queryset.filter(severity__gte=filters.severity)
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        queryset = queryset.filter(latitude__range=(min_lat, max_lat),
                                   longitude__range=(min_lon, max_lon))
    if filters.point:
        latitude, longitude, radius_km = filters.point
        # The box lets an index narrow the rows; the haversine makes it a circle.
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * max(math.cos(math.radians(latitude)), 0.01))
        queryset = (queryset.filter(latitude__range=(latitude - dlat, latitude + dlat),
                                    longitude__range=(longitude - dlon, longitude + dlon))
                    .alias(distance=_distance_km(latitude, longitude))
                    .filter(distance__lte=radius_km))
    for key, value in filters.extra.items():
        queryset = queryset.filter(**{f"payload__{key}": value})
    return queryset.order_by(*order_by(ITEM_ORDERINGS[kind]))


# Up to this many shared items, their keys go into the list query as literals, so that
# PostgreSQL can combine the commune and translation_key indexes (a subquery in an OR
# is a filter it checks row by row).
SHARED_KEYS_INLINE = 500


def listed() -> Q:
    """Items shown somewhere: every local item (its own commune shows it), remote ones
    (stored under a mirror of their commune) only once a commune here accepted them."""
    return Q(origin_server="") | Q(translation_key__in=remote_shown())


def unlisted_keys() -> QuerySet:
    """translation_keys of the live items no public place shows (a subquery)."""
    return (PublishedItem.objects.exclude(origin_server="")
            .exclude(translation_key__in=remote_shown()).values("translation_key"))


def _own_or_shared(*, commune_ids: set[int], kind: str) -> Q:
    """The communes' own items and those shared with them and shown there
    (federation/: a reference to the origin's row, never a copy)."""
    ids = sorted(commune_ids)
    shared = shared_keys_into_ids(commune_ids=ids, kind=kind)
    keys = list(shared.values_list("translation_key", flat=True)
                .order_by().distinct()[:SHARED_KEYS_INLINE + 1])
    if not keys:
        return Q(commune_id__in=ids)
    if len(keys) > SHARED_KEYS_INLINE:
        return Q(commune_id__in=ids) | Q(translation_key__in=shared)
    return Q(commune_id__in=ids) | Q(translation_key__in=keys)


class ListPayloadText(Func):
    """The list representation (payload without `detail_only_fields()`) as JSON text,
    computed by the database: no decode/re-encode in Python."""

    output_field = TextField()
    keys = sorted(detail_only_fields())

    def __init__(self, expression="payload", **extra):
        super().__init__(F(expression), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        array = "ARRAY[" + ", ".join(f"'{key}'" for key in self.keys) + "]::text[]"
        return self.as_sql(compiler, connection,
                           template=f"(%(expressions)s - {array})::text", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        paths = ", ".join(f"'$.{key}'" for key in self.keys)
        return self.as_sql(compiler, connection,
                           template=f"json_remove(%(expressions)s, {paths})", **extra_context)

    def as_sql(self, compiler, connection, template=None, **extra_context):
        if template is None:
            raise NotImplementedError(f"ListPayloadText: no SQL for {connection.vendor}")
        return super().as_sql(compiler, connection, template=template, **extra_context)


def item_page(*, queryset: QuerySet[PublishedItem], ordering: list[SortKey],
              limit: int, by_filter_index: bool = False) -> list[tuple]:
    """Rows (list JSON text, *sort values) of one page of a filtered, ordered item list.

    Two steps in one statement: pick the page's ids (narrow rows, index-only where
    possible), then read the wide payloads of those ids only, so filtering thousands of
    candidates never drags their JSON along.
    """
    from .cursors import order_by

    ids = _ids_in_order(queryset=queryset, ordering=ordering, by_filter_index=by_filter_index)
    return list(PublishedItem.objects.filter(pk__in=Subquery(ids[:limit]))
                .order_by(*order_by(ordering))
                .annotate(list_json=ListPayloadText())
                .values_list("list_json", *(key.field for key in ordering)))


def _ids_in_order(*, queryset: QuerySet[PublishedItem], ordering: list[SortKey],
                  by_filter_index: bool) -> QuerySet:
    from .cursors import order_by

    ids = queryset.values("pk")
    if not by_filter_index:
        return ids.order_by(*order_by(ordering))
    # With a commune filter, PostgreSQL would walk the (kind, start) index in order
    # and skip every past event of every other commune (~80 ms at 200,000 items):
    # it cannot see that "not over yet" correlates with start. Ordering the id pick
    # by an expression that no index provides makes it use the (commune, …, end)
    # index and sort the few matching rows instead (same order, same results).
    return ids.order_by(*(
        OrderBy(Coalesce(F(key.field), F(key.field)), descending=key.descending)
        for key in ordering))


def item_ids_query(*, kind: str, queryset: QuerySet[PublishedItem],
                   by_filter_index: bool) -> QuerySet:
    """The page ids of an item list (item_list) in the kind's order, as a subquery to
    slice: for readers that load and render the pages themselves (the resident site,
    frontend/), so that they list exactly what the API lists.

    `by_filter_index`: the list is filtered by communes (see item_page).
    """
    return _ids_in_order(queryset=queryset, ordering=ITEM_ORDERINGS[kind],
                         by_filter_index=by_filter_index)


@dataclass(frozen=True)
class ItemRow:
    """What a detail response needs: the stored payload as JSON text, not decoded."""

    page_id: int
    commune_id: int
    etag: str
    updated_at: dt.datetime
    payload_json: str


def item_get(*, kind: str, item_id: int) -> ItemRow | None:
    """One live item, reused for at most CLOCHER_API_MICROCACHE_SECONDS (microcache.py)."""
    cache_key = ("item", kind, item_id)
    row = microcache.get(cache_key)
    if row is None:
        values = (PublishedItem.objects.filter(listed(), kind=kind, pk=item_id)
                  .values_list("page_id", "commune_id", "etag", "updated_at",
                               Cast("payload", TextField())).first())
        if values is None:
            return None
        row = ItemRow(*values)
        microcache.put(cache_key, row)
    return row


def item_shared_into(*, item_id: int, commune_ids: Iterable[int]) -> bool:
    """Whether one of these communes accepted the item as shared (federation/): a key
    limited to a receiving commune reads the shared items its lists show."""
    return PublishedItem.objects.filter(
        pk=item_id, translation_key__in=shared_keys_into_ids(commune_ids=commune_ids),
    ).exists()


@dataclass(frozen=True)
class FeedState:
    """What an item list's validators derive from: it moves on every publish."""

    last_change_id: int
    last_change_at: dt.datetime | None
    generation: int
    # A change committed after a newer one (ids are taken at insert) leaves the newest
    # id as it was; it moves `last_seq` once numbered (after commit), so list ETags and
    # cached list bodies follow it too.
    last_seq: int = 0


def feed_state() -> FeedState:
    """The newest change row and the rebuild generation: one query, reused for at
    most CLOCHER_API_MICROCACHE_SECONDS (microcache.py)."""
    state = microcache.get("feed_state")
    if state is None:
        state = _feed_state_read()
        microcache.put("feed_state", state)
    return state


def _feed_state_read() -> FeedState:
    latest = Change.objects.order_by("-pk")
    row = (ChangeSequence.objects.filter(pk=1)
           .annotate(last_id=Subquery(latest.values("pk")[:1]),
                     last_at=Subquery(latest.values("created_at")[:1]))
           .values_list("last_id", "last_at", "generation", "last_seq").first())
    if row is None:
        row = (Change.objects.order_by("-pk").values_list("pk", "created_at").first()
               or (0, None)) + (0, 0)
    last_id, last_at, generation, last_seq = row
    return FeedState(last_change_id=last_id or 0, last_change_at=last_at,
                     generation=generation, last_seq=last_seq)


def change_list(*, after_seq: int, limit: int, commune_ids: Iterable[int] | None,
                kinds: Iterable[str] | None) -> list[Change]:
    """Numbered changes after a cursor, in sequence (commit) order."""
    queryset = Change.objects.filter(seq__isnull=False, seq__gt=after_seq)
    if commune_ids is not None:
        ids = sorted(commune_ids)
        # The communes' own items, and those shared into them or just withdrawn.
        queryset = queryset.filter(Q(commune_id__in=ids) | Q(pk__in=ChangeAudience.objects.filter(
            commune_id__in=ids).values("change_id")))
    else:
        # Items of mirrored remote communes appear once a commune here shows them
        # (their changes then name it) and leave when the last one stops.
        queryset = queryset.filter(~Q(commune_id__in=_mirror_ids())
                                   | Q(pk__in=ChangeAudience.objects.values("change_id")))
    if kinds:
        queryset = queryset.filter(kind__in=sorted(kinds))
    return list(queryset.order_by("seq")[:limit])


def _mirror_ids() -> QuerySet:
    from cms.communes.models import CommuneHomePage

    return CommuneHomePage.objects.exclude(origin_server="").values("pk")


def change_present_in(*, changes: list[Change], commune_ids: Iterable[int] | None) -> set[int]:
    """Ids of the changes after which their item is visible in one of these communes
    (its own, or shared into it), or anywhere when `commune_ids` is None; the others
    withdrew it from them."""
    if commune_ids is None:
        mirrors = set(_mirror_ids().filter(pk__in={c.commune_id for c in changes})
                      .values_list("pk", flat=True))
        own = {change.pk for change in changes if change.commune_id not in mirrors}
        return own | set(ChangeAudience.objects.filter(
            change__in=[change.pk for change in changes if change.pk not in own],
            present=True).values_list("change_id", flat=True))
    ids = set(commune_ids)
    own = {change.pk for change in changes if change.commune_id in ids}
    shared = set(ChangeAudience.objects.filter(
        change__in=[change.pk for change in changes if change.pk not in own],
        commune_id__in=sorted(ids), present=True).values_list("change_id", flat=True))
    return own | shared


def change_watermarks() -> tuple[int, int]:
    """(pruned_through, last_seq): a cursor below the first must resync."""
    row = ChangeSequence.objects.filter(pk=1).values_list("pruned_through", "last_seq").first()
    return row or (0, 0)

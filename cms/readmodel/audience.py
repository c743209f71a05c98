"""Who sees an item: the Audience table, its one writer and its readers.

The sharing rules live in federation/ (a layer above); it registers itself here as
the audience provider in its AppConfig.ready(): the pipeline asks it to decide an
item's references (`decide`) and to say where they stand (`states`), then writes
the Audience rows itself. Every public surface reads the rows through the functions
below, never federation's tables. Without a provider an item is its commune's alone.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import BooleanField, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from wagtail.models import Page

from .models import PUBLIC_STATES, Audience, AudienceState

SHARED_STATES = (AudienceState.ACCEPTED, AudienceState.FEATURED)


@dataclass(frozen=True)
class Reach:
    """One commune an item reaches beyond its own, as the provider decided."""

    translation_key: uuid.UUID
    commune_id: int
    commune_key: uuid.UUID
    commune_insee: str
    origin_id: int
    kind: str
    state: str  # accepted, featured, pending, hidden or declined


@dataclass(frozen=True)
class Home:
    """An item's own commune (source locale); `local` is False for a mirror of a
    commune on another server, whose items are public only where accepted."""

    translation_key: uuid.UUID
    commune_id: int
    commune_key: uuid.UUID
    kind: str
    local: bool


class AudienceProvider(Protocol):
    def decide(self, *, page: Page) -> list[Reach] | None:
        """Bring the page's references in line with its commune's sharing rules, in
        the publishing transaction (no network); return where its item stands now
        (as `states()` would), or None when the rules do not apply to the page."""

    def states(self, *, keys: Iterable[uuid.UUID]) -> list[Reach]:
        """Where the items of these translation keys stand in other communes."""


class _NoSharing:
    def decide(self, *, page: Page) -> list[Reach] | None:
        return None

    def states(self, *, keys):
        return []


_provider: AudienceProvider = _NoSharing()


def audience_provider_register(provider: AudienceProvider) -> None:
    global _provider
    _provider = provider


def audience_decide(*, page: Page) -> list[Reach] | None:
    return _provider.decide(page=page)


# --- the writer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sharing:
    """What `audience_sync` wrote: `by_key`, as `sharing_by_translation_key()` says it
    (INSEE codes accepted in, featured in); `commune_ids`, INSEE code -> commune id of
    the communes named."""

    by_key: dict[uuid.UUID, tuple[list[str], list[str]]]
    commune_ids: dict[str, int]


def audience_sync(*, keys: Iterable[uuid.UUID], homes: Iterable[Home] = (),
                  known: dict[uuid.UUID, list[Reach]] | None = None) -> Sharing:
    """Write the Audience rows of these items: their own commune (`homes`; rows of
    keys without a home given keep their own row as it is) and where the provider
    says they stand (`known`: what its `decide()` returned; `states()` for the others).

    One query when nothing changed, plus one INSERT, one UPDATE per state that moved,
    one DELETE; one more when some keys' states are not known.
    """
    keys = set(keys)
    if not keys:
        return Sharing(by_key={}, commune_ids={})
    known = {key: reaches for key, reaches in (known or {}).items() if key in keys}
    homes = {home.translation_key: home for home in homes}
    wanted: dict[tuple[uuid.UUID, int], tuple[uuid.UUID, int, str, str]] = {}
    for home in homes.values():
        if home.local:
            wanted[(home.translation_key, home.commune_id)] = (
                home.commune_key, home.commune_id, home.kind, AudienceState.OWN)
    insee: dict[int, str] = {}
    unknown = keys - set(known)
    reaches = [*(reach for found in known.values() for reach in found),
               *(_provider.states(keys=unknown) if unknown else ())]
    for reach in reaches:
        insee[reach.commune_id] = reach.commune_insee
        wanted.setdefault((reach.translation_key, reach.commune_id), (
            reach.commune_key, reach.origin_id, reach.kind, reach.state))
    existing = {(row.translation_key, row.commune_id): row
                for row in Audience.objects.filter(translation_key__in=keys)}
    gone = [row.pk for spot, row in existing.items() if spot not in wanted and (
        row.state != AudienceState.OWN or spot[0] in homes)]
    if gone:
        Audience.objects.filter(pk__in=gone).delete()
    Audience.objects.bulk_create([
        Audience(translation_key=key, commune_id=commune_id, commune_key=commune_key,
                 origin_id=origin_id, kind=kind, state=state)
        for (key, commune_id), (commune_key, origin_id, kind, state) in wanted.items()
        if (key, commune_id) not in existing])
    moved: dict[tuple[str, int], list[int]] = defaultdict(list)
    for spot, (_commune_key, origin_id, _kind, state) in wanted.items():
        row = existing.get(spot)
        if row is not None and (row.state, row.origin_id) != (state, origin_id):
            moved[(state, origin_id)].append(row.pk)
    for (state, origin_id), ids in moved.items():
        Audience.objects.filter(pk__in=ids).update(state=state, origin_id=origin_id)
    return Sharing(
        by_key=_sharing_of(insee=insee, key_codes=[(key, commune_id, state) for (
            key, commune_id), (_commune_key, _origin_id, _kind, state) in wanted.items()]),
        commune_ids={code: commune_id for commune_id, code in insee.items()})


def audience_prune() -> int:
    """Drop the rows of items none of whose pages is left (a periodic job: a deletion
    runs while its page still exists)."""
    deleted, _by_model = Audience.objects.exclude(
        translation_key__in=Page.objects.values("translation_key")).delete()
    return deleted


def _sharing_of(*, insee: dict[int, str], key_codes: list[tuple[uuid.UUID, int, str]],
                ) -> dict[uuid.UUID, tuple[list[str], list[str]]]:
    shared = [(key, commune_id, state) for key, commune_id, state in key_codes
              if state in SHARED_STATES]
    result: dict[uuid.UUID, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for key, commune_id, state in shared:
        result[key][0].add(insee[commune_id])
        if state == AudienceState.FEATURED:
            result[key][1].add(insee[commune_id])
    return {key: (sorted(accepted), sorted(featured))
            for key, (accepted, featured) in result.items()}


# --- the readers ----------------------------------------------------------------------


def sharing_by_translation_key(*, keys: Iterable[uuid.UUID] | None = None,
                               ) -> dict[uuid.UUID, tuple[list[str], list[str]]]:
    """(INSEE codes accepted in, INSEE codes featured in) per translation key; every
    shared key when `keys` is None."""
    queryset = Audience.objects.filter(state__in=SHARED_STATES)
    if keys is not None:
        queryset = queryset.filter(translation_key__in=list(keys))
    result: dict[uuid.UUID, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for key, insee, state in queryset.values_list("translation_key", "commune__insee_code",
                                                  "state"):
        result[key][0].add(insee)
        if state == AudienceState.FEATURED:
            result[key][1].add(insee)
    return {key: (sorted(accepted), sorted(featured))
            for key, (accepted, featured) in result.items()}


def _communes_q(communes) -> Q:
    # Listings may be in another locale than the source one the rows are filed under.
    return Q(commune_key__in={commune.translation_key for commune in communes})


def shared_keys_into(*, communes) -> QuerySet:
    """translation_keys of the items shared with any of these communes and shown there
    (a subquery)."""
    return (Audience.objects.filter(_communes_q(communes), state__in=SHARED_STATES)
            .values("translation_key"))


@dataclass(frozen=True)
class Shares:
    """What a listing for some communes, seen from one of them (the viewer, whose
    site it is), reads of the audiences before it lists pages.

    `accepted`: translation_key -> (origin commune name, featured), the items shared
    with the communes and shown there; `withheld`: the items the viewer holds back
    (pending, hidden, declined), left out even when a neighbour in the listing owns
    them; `complete`: False when there were too many rows to inline (the listing
    then joins the table instead).
    """

    accepted: dict[uuid.UUID, tuple[str, bool]]
    withheld: frozenset[uuid.UUID]
    complete: bool = True


def shares_for(*, communes, viewer, limit: int) -> Shares:
    """Shares of these communes seen from `viewer` (one of them, or None). One query."""
    wanted = _communes_q(communes) & Q(state__in=SHARED_STATES)
    if viewer is not None:
        wanted |= Q(commune_key=viewer.translation_key) & ~Q(state__in=PUBLIC_STATES)
    rows = list(Audience.objects.filter(wanted).order_by("translation_key")
                .values_list("translation_key", "origin__title", "state")[:limit + 1])
    accepted: dict[uuid.UUID, tuple[str, bool]] = {}
    withheld = set()
    for key, via, state in rows[:limit]:
        if state in SHARED_STATES:
            featured = state == AudienceState.FEATURED
            accepted[key] = (via, featured or accepted.get(key, ("", False))[1])
        else:
            withheld.add(key)
    return Shares(accepted=accepted, withheld=frozenset(withheld),
                  complete=len(rows) <= limit)


def withheld_keys_into(*, viewer) -> QuerySet:
    """The items the viewer holds back (a subquery): see Shares."""
    return (Audience.objects.filter(commune_key=viewer.translation_key)
            .exclude(state__in=PUBLIC_STATES).values("translation_key"))


def shared_keys_into_ids(*, commune_ids: Iterable[int], kind: str | None = None) -> QuerySet:
    """The same, from source-locale commune ids (the API's read model)."""
    queryset = Audience.objects.filter(commune_id__in=sorted(commune_ids),
                                       state__in=SHARED_STATES)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return queryset.values("translation_key")


def shared_annotations(*, communes) -> dict:
    """`shared_featured` and `shared_via` (origin commune name, None for own items)
    for a page queryset listed for these communes: subqueries, no query per row."""
    shown = Audience.objects.filter(_communes_q(communes), state__in=SHARED_STATES,
                                    translation_key=OuterRef("translation_key"))
    return {
        "shared_featured": Exists(shown.filter(state=AudienceState.FEATURED)),
        "shared_via": Subquery(shown.values("origin__title")[:1]),
    }


def no_shared_annotations() -> dict:
    return {"shared_featured": Value(False, output_field=BooleanField()),
            "shared_via": Value(None, output_field=CharField())}


def withheld_keys(*, commune_ids: Iterable[int], kind: str | None = None) -> QuerySet:
    """Items these communes hold back (pending, hidden, declined), a subquery: their
    own places never show them, not even as a neighbour's item listed around them."""
    queryset = Audience.objects.filter(commune_id__in=sorted(commune_ids)).exclude(
        state__in=PUBLIC_STATES)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return queryset.values("translation_key")


def withheld_page_ids(*, insee_code: str) -> list[int]:
    """Pages (every locale) of the items the commune of this INSEE code holds back:
    what its search leaves out, whichever commune owns them. Asked on every search
    from a commune: one small query when it holds nothing back (most communes, most
    of the time), a second for the pages when it does (a subquery in one statement
    cost 1-3 ms of Django per search on the benchmark's 220,000 pages, these 0.7 ms)."""
    keys = list(Audience.objects.filter(commune__insee_code=insee_code,
                                        commune__origin_server="")
                .exclude(state__in=PUBLIC_STATES).values_list("translation_key", flat=True))
    if not keys:
        return []
    return list(Page.objects.filter(translation_key__in=keys).order_by()
                .values_list("pk", flat=True))


def remote_shown() -> QuerySet:
    """translation_keys of the items of mirrored remote communes that a commune here
    shows (a subquery): the only remote items any public place may show."""
    return (Audience.objects.filter(state__in=SHARED_STATES)
            .exclude(origin__origin_server="").values("translation_key"))


def key_remote_shown(*, translation_key: uuid.UUID) -> bool:
    """Whether a commune here shows this item of a mirrored remote commune."""
    return remote_shown().filter(translation_key=translation_key).exists()

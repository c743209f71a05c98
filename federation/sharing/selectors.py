"""Reads of sharing inside one deployment: audiences, acceptance, who sees what."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from wagtail.models import Locale, Page

from cms.communes.models import CommuneHomePage
from federation.models import Acceptance, AcceptanceRule, SharedItem, ShareState, SharingPolicy

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def sharing_audience(*, policy: SharingPolicy) -> list[CommuneHomePage]:
    """Local communes the policy's commune shares with (itself and mirrors excluded)."""
    from cms.communes.selectors import commune_list, commune_neighbours

    commune = policy.commune
    audience: dict[int, CommuneHomePage] = {}
    if policy.radius_km is not None:
        # commune_neighbours adds the EPCI's members: keep only those within the radius
        # unless the EPCI is part of the audience anyway.
        for neighbour in commune_neighbours(commune=commune, radius_km=policy.radius_km):
            if neighbour.distance_km is not None and neighbour.distance_km <= policy.radius_km:
                audience[neighbour.commune.pk] = neighbour.commune
    scopes = Q(pk__in=[])
    if policy.share_with_epci and commune.epci_code:
        scopes |= Q(epci_code=commune.epci_code)
    if policy.share_with_department and commune.department_code:
        scopes |= Q(department_code=commune.department_code)
    named = [named.pk for named in policy.named_communes.all()]
    if named:
        scopes |= Q(pk__in=named)
    if policy.share_with_epci or policy.share_with_department or named:
        for other in commune_list().filter(scopes):
            audience.setdefault(other.pk, other)
    audience.pop(commune.pk, None)
    return sorted(audience.values(), key=lambda other: (other.title, other.pk))


def acceptance_decide_many(
    *, receivers: Iterable[CommuneHomePage], kind: str,
    source_commune: CommuneHomePage | None = None, source_server: str = "",
) -> dict[int, str]:
    """"accept" or "review" per receiving commune id, in two queries (see
    `acceptance_choose`)."""
    ids = [receiver.pk for receiver in receivers]
    if not ids:
        return {}
    sources = Q(source_commune__isnull=True, source_server="")
    if source_commune is not None:
        sources |= Q(source_commune=source_commune)
    if source_server:
        sources |= Q(source_commune__isnull=True, source_server__iexact=source_server)
    rules, defaults = acceptance_rules_of(
        receiver_ids=ids, narrowed=(Q(kind="") | Q(kind=kind)) & sources)
    return acceptance_choose(rules=rules, defaults=defaults, receiver_ids=ids, kind=kind,
                             source_commune_id=source_commune.pk if source_commune else None,
                             source_server=source_server)


def acceptance_rules_of(*, receiver_ids: Iterable[int], narrowed: Q | None = None,
                        ) -> tuple[list[AcceptanceRule], dict[int, str]]:
    """The acceptance rules of these communes (those matching `narrowed`) and their
    default answers: two queries."""
    ids = list(receiver_ids)
    if not ids:
        return [], {}
    rules = AcceptanceRule.objects.filter(receiver_id__in=ids)
    if narrowed is not None:
        rules = rules.filter(narrowed)
    defaults = dict(SharingPolicy.objects.filter(commune_id__in=ids)
                    .values_list("commune_id", "default_acceptance"))
    return list(rules), defaults


def acceptance_choose(*, rules: Iterable[AcceptanceRule], defaults: dict[int, str],
                      receiver_ids: Iterable[int], kind: str,
                      source_commune_id: int | None = None, source_server: str = "",
                      ) -> dict[int, str]:
    """"accept" or "review" per receiver, from its rules and default (no query).

    The most specific matching rule wins (source and kind, then source, then kind);
    between equally specific rules, "review". No rule: the commune's default.
    """
    server = source_server.lower()
    best: dict[int, tuple[int, bool, str]] = {}
    for rule in rules:
        if rule.kind not in ("", kind):
            continue
        if rule.source_commune_id is not None:
            if rule.source_commune_id != source_commune_id:
                continue
        elif rule.source_server and (not server or rule.source_server.lower() != server):
            continue
        rank = (rule.specificity, rule.decision == Acceptance.REVIEW, rule.decision)
        if rule.receiver_id not in best or rank[:2] > best[rule.receiver_id][:2]:
            best[rule.receiver_id] = rank
    return {
        receiver_id: (best[receiver_id][2] if receiver_id in best
                      else defaults.get(receiver_id, Acceptance.REVIEW))
        for receiver_id in receiver_ids
    }


def acceptance_decide(
    *, receiver: CommuneHomePage, kind: str,
    source_commune: CommuneHomePage | None = None, source_server: str = "",
) -> str:
    """"accept" or "review": how `receiver` answers an item of `kind` from this source.

    Used for local shares and for content received from another server (ActivityPub).
    """
    return acceptance_decide_many(receivers=[receiver], kind=kind,
                                  source_commune=source_commune,
                                  source_server=source_server)[receiver.pk]


# --- what the pipeline writes ---------------------------------------------------------


_AUDIENCE_STATES = {ShareState.ACCEPTED: "accepted", ShareState.PENDING: "pending",
                    ShareState.HIDDEN: "hidden", ShareState.DECLINED: "declined"}


def share_reach(*, translation_key: uuid.UUID, receiver_id: int, receiver_key: uuid.UUID,
                insee_code: str, origin_id: int, kind: str, state: str, featured: bool):
    """A share as the audience provider tells it (cms/readmodel/audience.py's Reach)."""
    from cms.readmodel.audience import Reach
    from cms.readmodel.models import AudienceState

    return Reach(translation_key=translation_key, commune_id=receiver_id,
                 commune_key=receiver_key, commune_insee=insee_code, origin_id=origin_id,
                 kind=kind, state=AudienceState.FEATURED if featured
                 else AudienceState(_AUDIENCE_STATES[state]))


def share_states(*, keys: Iterable[uuid.UUID]) -> list:
    """Where the items of these translation keys stand in the communes they are shared
    with: the audience provider's answer (cms/readmodel/audience.py), one query."""
    rows = (SharedItem.objects.filter(translation_key__in=list(keys))
            .values_list("translation_key", "receiver_id", "receiver__translation_key",
                         "receiver__insee_code", "origin_commune_id", "kind", "state", "featured"))
    return [share_reach(translation_key=key, receiver_id=receiver_id, receiver_key=receiver_key,
                        insee_code=insee, origin_id=origin_id, kind=kind, state=state,
                        featured=featured)
            for key, receiver_id, receiver_key, insee, origin_id, kind, state, featured in rows]


def item_receivers(*, page_id: int) -> list[str]:
    """INSEE codes of the communes where the item (or its translation) is shown as
    shared (the Audience rows the pipeline wrote)."""
    from cms.readmodel.audience import sharing_by_translation_key

    key = Page.objects.filter(pk=page_id).values_list("translation_key", flat=True).first()
    return sharing_by_translation_key(keys=[key]).get(key, ([], []))[0] if key else []


# --- admin ----------------------------------------------------------------------------


def communes_managed_by(*, user: AbstractBaseUser) -> QuerySet[CommuneHomePage]:
    """Local communes whose sharing the user decides: superusers all, others those where
    they may publish (communicants, animateurs; see cms/communes/roles.py)."""
    queryset = CommuneHomePage.objects.filter(locale=Locale.get_default(), origin_server="")
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser:
        return queryset.order_by("title")
    return (queryset.filter(group_permissions__group__user=user,
                            group_permissions__permission__codename="publish_page")
            .distinct().order_by("title"))


def incoming_shares(*, receiver: CommuneHomePage, state: str | None = None,
                    ) -> QuerySet[SharedItem]:
    """The receiver's review queue: pending first, newest first."""
    queryset = SharedItem.objects.filter(receiver=receiver)
    if state:
        queryset = queryset.filter(state=state)
    return (queryset.select_related("page", "origin_commune", "decided_by")
            .order_by(_pending_first(), "-created_at", "-pk"))


def _pending_first():
    from django.db.models import Case, IntegerField, Value, When

    return Case(When(state=ShareState.PENDING, then=Value(0)), default=Value(1),
                output_field=IntegerField()).asc()


def outgoing_shares(*, origin: CommuneHomePage) -> list[tuple[Page, list[SharedItem]]]:
    """The origin's items that are shared, each with its references, newest first."""
    by_page: dict[int, list[SharedItem]] = defaultdict(list)
    pages: dict[int, Page] = {}
    queryset = (SharedItem.objects.filter(origin_commune=origin)
                .select_related("page", "receiver", "decided_by")
                .order_by("-page__last_published_at", "page_id", "receiver__title"))
    for share in queryset:
        pages.setdefault(share.page_id, share.page)
        by_page[share.page_id].append(share)
    return [(pages[page_id], shares) for page_id, shares in by_page.items()]


def page_shares(*, page: Page) -> list[SharedItem]:
    """Where one item is shared and in what state (any of its translations)."""
    return list(SharedItem.objects.filter(translation_key=page.translation_key)
                .select_related("receiver", "decided_by").order_by("receiver__title"))

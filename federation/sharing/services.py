"""Writes of sharing inside one deployment.

Receivers are computed in the publishing transaction (see docs/federation-sharing.md):
a handful of queries, no network, so a share is visible the moment the publish
commits and a rollback leaves nothing behind. Re-evaluating a whole commune after its
rules change touches every live page, so that runs as a background task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.content.kinds import content_models, kind_of_page, kinds
from cms.core.locales import default_locale
from federation.models import (
    Acceptance,
    SharedItem,
    ShareState,
    SharingPolicy,
)
from federation.models.sharing import SHARE_TRANSITIONS, ShareAction

from . import selectors
from .plans import SharingPlan, sharing_plan

if TYPE_CHECKING:
    import uuid

    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


class ShareTransitionError(Exception):
    """The action is not allowed from the item's current state."""


def _kind_of(page: Page) -> str | None:
    kind = kind_of_page(page)
    return kind.name if kind else None


class SharingAudience:
    """The publishing pipeline's audience provider (cms/readmodel/audience.py)."""

    def decide(self, *, page: Page):
        shares = shares_sync(page=page)
        if shares is None:
            return None
        return [selectors.share_reach(
            translation_key=share.translation_key, receiver_id=share.receiver_id,
            receiver_key=share.receiver_key, insee_code=share.receiver_insee,
            origin_id=share.origin_commune_id, kind=share.kind, state=share.state,
            featured=share.featured) for share in shares]

    def states(self, *, keys):
        return selectors.share_states(keys=keys)


def _commune_of(page: Page) -> CommuneHomePage | None:
    # Content pages cache theirs (CommuneContentPage.commune): one lookup a publish.
    if hasattr(type(page), "commune"):
        return page.commune
    return CommuneHomePage.objects.ancestor_of(page).first()


@transaction.atomic(savepoint=False)
def shares_sync(*, page: Page) -> list[SharedItem] | None:
    """Bring the rule-made references of a published page in line with its commune's
    sharing rules; return every reference of its item afterwards (each with its
    receiver's INSEE code as `receiver_insee`), or None when the page is not one the
    rules apply to (a translation, a remote commune's page, not live).

    Only source-locale pages are shared: translations follow through their
    translation_key. A page that is not live keeps its references (readers only list
    live pages), so republishing it brings them back as they were.
    """
    page = page.specific_deferred if type(page) is Page else page
    kind = _kind_of(page)
    if kind is None or not page.live or page.locale_id != default_locale().pk:
        return None
    commune = _commune_of(page)
    if commune is None or commune.origin_server:
        return None
    # Called by the publishing pipeline, which writes the read model once afterwards.
    return _shares_sync(page=page, kind=kind, commune=commune,
                        plan=sharing_plan(commune=commune), refresh=False)


def _shares_sync(*, page: Page, kind: str, commune: CommuneHomePage,
                 plan: SharingPlan | None, refresh: bool) -> list[SharedItem]:
    category_ids = [category.pk for category in page.categories.all()]
    receivers = (plan.receivers if plan is not None
                 and plan.covers(kind=kind, category_ids=category_ids) else ())
    every = list(SharedItem.objects.filter(translation_key=page.translation_key)
                 .annotate(receiver_insee=F("receiver__insee_code")))
    existing = {share.receiver_id: share for share in every if share.page_id == page.pk}
    wanted = {receiver.pk: receiver for receiver in receivers}
    # A page moved to another commune: its old commune's rule-made references go.
    stale = [share for receiver_id, share in existing.items()
             if share.by_rule and (receiver_id not in wanted
                                   or share.origin_commune_id != commune.pk)]
    stale_ids = {share.receiver_id for share in stale}
    new = [receiver for receiver_id, receiver in wanted.items()
           if receiver_id not in existing or receiver_id in stale_ids]
    decisions = plan.decisions(receiver_ids=[receiver.pk for receiver in new], kind=kind,
                               source_commune_id=commune.pk) if new else {}
    now = timezone.now()
    if stale:
        SharedItem.objects.filter(pk__in=[share.pk for share in stale]).delete()
    created = SharedItem.objects.bulk_create([
        SharedItem(page_id=page.pk, translation_key=page.translation_key, kind=kind,
                   origin_commune=commune, receiver_id=receiver.pk,
                   receiver_key=receiver.translation_key,
                   state=(ShareState.ACCEPTED if decisions[receiver.pk] == Acceptance.ACCEPT
                          else ShareState.PENDING),
                   decided_at=now if decisions[receiver.pk] == Acceptance.ACCEPT else None)
        for receiver in new
    ])
    for share, receiver in zip(created, new, strict=True):
        share.receiver_insee = receiver.insee_code
    # Pending references are audience rows too (the receiver withholds the item).
    if (created or stale) and refresh:
        _visibility_changed(translation_keys=[page.translation_key])
    return [*(share for share in every if share not in stale), *created]


@transaction.atomic
def share_create(*, page: Page, receiver: CommuneHomePage, source_server: str = "",
                 source_commune: CommuneHomePage | None = None,
                 hold: bool = False) -> SharedItem:
    """Make (or return) an explicit reference of `page` in `receiver`.

    For content that did not come from the origin's rules, such as a page received
    from another server (`source_server`: its host) stored under a mirrored commune.
    The receiver's acceptance rules decide whether it is visible at once, unless `hold`
    (a post of a person, not of a commune): then it waits for the receiver's review.
    """
    page = page.specific_deferred if type(page) is Page else page
    kind = _kind_of(page)
    if kind is None:
        raise ValueError(f"page {page.pk} is not shareable content")
    origin = source_commune or _commune_of(page)
    if origin is None:
        raise ValueError(f"page {page.pk} belongs to no commune")
    if origin.pk == receiver.pk:
        raise ValueError("a commune cannot share an item with itself")
    existing = SharedItem.objects.filter(page=page, receiver=receiver).first()
    if existing is not None:
        return existing
    decision = selectors.acceptance_decide(receiver=receiver, kind=kind, source_commune=origin,
                                           source_server=source_server)
    accepted = decision == Acceptance.ACCEPT and not hold
    share = SharedItem.objects.create(
        page=page, translation_key=page.translation_key, kind=kind, origin_commune=origin,
        receiver=receiver, receiver_key=receiver.translation_key,
        source_server=source_server, by_rule=False,
        state=ShareState.ACCEPTED if accepted else ShareState.PENDING,
        decided_at=timezone.now() if accepted else None)
    _visibility_changed(translation_keys=[page.translation_key])
    return share


@transaction.atomic
def share_decide(*, share: SharedItem, action: str, user: AbstractBaseUser | None) -> SharedItem:
    """Apply a receiver's decision (accept, decline, hide, feature, unfeature)."""
    share = SharedItem.objects.select_for_update().get(pk=share.pk)
    transitions = SHARE_TRANSITIONS.get(action)
    if transitions is None:
        raise ShareTransitionError(f"unknown action: {action}")
    if share.state not in transitions:
        raise ShareTransitionError(f"cannot {action} an item that is {share.state}")
    was = (share.state, share.featured)
    share.state = transitions[share.state]
    if action == ShareAction.FEATURE:
        share.featured = True
    elif action == ShareAction.UNFEATURE or share.state != ShareState.ACCEPTED:
        share.featured = False
    share.decided_by = user if user is not None and user.is_authenticated else None
    share.decided_at = timezone.now()
    share.save(update_fields=["state", "featured", "decided_by", "decided_at", "updated_at"])
    if (share.state, share.featured) != was:
        _visibility_changed(translation_keys=[share.translation_key])
    return share


@transaction.atomic
def sharing_policy_save(*, policy: SharingPolicy, categories: Iterable,
                        named_communes: Iterable[CommuneHomePage],
                        user: AbstractBaseUser | None) -> SharingPolicy:
    """Save a commune's rules and re-evaluate its shared items (in the background)."""
    policy.updated_by = user if user is not None and user.is_authenticated else None
    policy.full_clean(exclude=["commune"])
    policy.save()
    policy.categories.set(categories)
    policy.named_communes.set([commune for commune in named_communes
                               if commune.pk != policy.commune_id])
    shares_reevaluate_enqueue(commune=policy.commune)
    return policy


REEVALUATE = "sharing.reevaluate"


def shares_reevaluate_enqueue(*, commune: CommuneHomePage) -> None:
    """Queue the re-evaluation in the same transaction as the rule change: the outbox
    row commits with the rules or not at all (rows of one commune coalesce)."""
    from cms.publishing.outbox import outbox_append

    outbox_append(category=REEVALUATE, object_ids=[commune.pk])


def shares_reevaluate_rows(rows) -> None:
    """The "sharing.reevaluate" outbox handler."""
    for commune in CommuneHomePage.objects.filter(pk__in=[row.object_id for row in rows]):
        shares_reevaluate(commune=commune)


def shares_reevaluate(*, commune: CommuneHomePage) -> int:
    """Re-apply the commune's sharing rules to each of its live items; return how many
    items were looked at. One transaction per item: a long run never holds locks."""
    if commune.origin_server:
        return 0
    plan = sharing_plan(commune=commune)
    count = 0
    for model, kind in ((kind.model, kind.name) for kind in kinds()):
        pages = (model.objects.live().descendant_of(commune)
                 .filter(locale_id=default_locale().pk)
                 .prefetch_related("categories").order_by("pk"))
        for page in pages.iterator(chunk_size=200):
            with transaction.atomic():
                _shares_sync(page=page, kind=kind, commune=commune, plan=plan,
                             refresh=True)
            count += 1
    # Items that were unpublished keep references for when they come back, but not
    # references the rules no longer allow.
    live_ids = set()
    for model in content_models():
        live_ids |= set(model.objects.live().descendant_of(commune).values_list("pk", flat=True))
    allowed = {receiver.pk for receiver in plan.receivers} if plan is not None else set()
    SharedItem.objects.filter(origin_commune=commune, by_rule=True).exclude(
        page_id__in=live_ids).exclude(receiver_id__in=allowed).delete()
    return count


@transaction.atomic
def acceptance_rules_apply(*, receiver: CommuneHomePage) -> int:
    """Re-decide the receiver's pending items after its acceptance rules changed;
    decisions already made by a person stay. Return how many were accepted."""
    pending = list(SharedItem.objects.filter(receiver=receiver, state=ShareState.PENDING)
                   .select_related("origin_commune"))
    accepted = []
    for share in pending:
        decision = selectors.acceptance_decide(receiver=receiver, kind=share.kind,
                                               source_commune=share.origin_commune,
                                               source_server=share.source_server)
        if decision == Acceptance.ACCEPT:
            accepted.append(share)
    if accepted:
        SharedItem.objects.filter(pk__in=[share.pk for share in accepted]).update(
            state=ShareState.ACCEPTED, decided_at=timezone.now(), decided_by=None)
        _visibility_changed(translation_keys={share.translation_key for share in accepted})
    return len(accepted)


def _visibility_changed(*, translation_keys: Iterable[uuid.UUID]) -> None:
    """Where an item stands in another commune changed, outside a publish: the pipeline
    rewrites its audience and the read model (`shared_with`, list ETags, the change
    feed) and tells its consumers (search, page cache)."""
    from cms.publishing.services import items_audience_changed

    items_audience_changed(translation_keys=translation_keys)

"""What a commune's sharing rules come to, computed once per process while they hold.

Deciding who receives a published item reads the commune's policy, its categories and
named communes, the neighbouring communes and the receivers' acceptance rules: seven
queries a publish, with the same answer until a policy, a rule or a commune changes.
A `SharingPlan` holds that answer. Every change of those rows gives the one
`SharingGeneration` row a new random token in the same transaction (the receivers
below); a publish reads the token with the policy, in one query, and reuses the plan
it computed under the same token, in any process. Writes that bypass model signals
(queryset updates, raw SQL) on these tables must call `sharing_generation_bump()`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from cms.communes.models import CommuneHomePage
from federation.models import AcceptanceRule, SharingGeneration, SharingPolicy

from . import selectors


@dataclass(frozen=True)
class Receiver:
    """A commune a plan shares with, as a share names it."""

    pk: int
    translation_key: uuid.UUID
    insee_code: str


@dataclass(frozen=True)
class SharingPlan:
    kinds: frozenset[str]
    category_ids: frozenset[int]       # empty: every category
    receivers: tuple[Receiver, ...]    # the audience, nearest or by name
    rules: tuple[AcceptanceRule, ...]  # the receivers' acceptance rules
    defaults: Mapping[int, str]        # receiver id -> its default answer

    def covers(self, *, kind: str, category_ids: Iterable[int]) -> bool:
        """Whether an item of this kind with these categories is shared."""
        if kind not in self.kinds:
            return False
        return not self.category_ids or bool(self.category_ids & set(category_ids))

    def decisions(self, *, receiver_ids: Iterable[int], kind: str,
                  source_commune_id: int) -> dict[int, str]:
        """"accept" or "review" per receiver, for an item of the plan's commune."""
        return selectors.acceptance_choose(
            rules=self.rules, defaults=self.defaults, receiver_ids=receiver_ids, kind=kind,
            source_commune_id=source_commune_id)


# commune id -> (token, plan); a plain dict: a race only computes a plan twice.
_plans: dict[int, tuple[int, SharingPlan]] = {}


def sharing_plan(*, commune: CommuneHomePage) -> SharingPlan | None:
    """The commune's plan, None when it has no rules. One query when the plan is
    known; eight when the rules changed since."""
    policy = (SharingPolicy.objects.filter(commune=commune)
              .annotate(token=Subquery(SharingGeneration.objects.filter(pk=1)
                                       .values("token")[:1]))
              .first())
    if policy is None:
        return None
    known = _plans.get(commune.pk)
    if known is not None and policy.token is not None and known[0] == policy.token:
        return known[1]
    SharingPolicy.commune.field.set_cached_value(policy, commune)
    plan = _plan_build(policy=policy)
    if policy.token is not None:  # None: the row is missing (a flushed test database)
        _plans[commune.pk] = (policy.token, plan)
    return plan


def _plan_build(*, policy: SharingPolicy) -> SharingPlan:
    receivers = selectors.sharing_audience(policy=policy)
    ids = [receiver.pk for receiver in receivers]
    rules, defaults = selectors.acceptance_rules_of(receiver_ids=ids)
    return SharingPlan(
        kinds=frozenset(policy.kinds or ()),
        category_ids=frozenset(policy.categories.values_list("pk", flat=True)),
        receivers=tuple(Receiver(pk=receiver.pk, translation_key=receiver.translation_key,
                                 insee_code=receiver.insee_code) for receiver in receivers),
        rules=tuple(rules), defaults=defaults)


def sharing_generation_bump(**_signal_kwargs) -> None:
    """Say that what sharing plans read has changed (in the caller's transaction)."""
    token = secrets.randbits(62)
    if not SharingGeneration.objects.filter(pk=1).update(token=token):
        SharingGeneration.objects.create(pk=1, token=token)


def sharing_generation_receivers_connect() -> None:
    for model in (SharingPolicy, AcceptanceRule, CommuneHomePage):
        post_save.connect(sharing_generation_bump, sender=model,
                          dispatch_uid=f"sharing-generation-save-{model.__name__}")
        post_delete.connect(sharing_generation_bump, sender=model,
                            dispatch_uid=f"sharing-generation-delete-{model.__name__}")
    for through in (SharingPolicy.categories.through, SharingPolicy.named_communes.through):
        m2m_changed.connect(sharing_generation_bump, sender=through,
                            dispatch_uid=f"sharing-generation-m2m-{through.__name__}")

"""A commune's sharing plan (federation/sharing/plans.py) is computed once and reused
while nothing it reads changes: each test publishes once (the plan is computed and
kept), changes one thing the plan reads, and publishes again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.models import AcceptanceRule, SharedItem, SharingPolicy
from federation.sharing.plans import sharing_plan
from tests.factories import make_commune, make_news

from .conftest import sharing_policy

pytestmark = pytest.mark.django_db


def _receivers(page) -> dict[int, str]:
    return dict(SharedItem.objects.filter(page=page).values_list("receiver_id", "state"))


@pytest.fixture
def known_plan(commune, neighbour_commune):
    sharing_policy(commune, kinds=["news"], radius_km=10)
    sharing_policy(neighbour_commune, kinds=[], default_acceptance="accept")
    first = make_news(commune, title="Vœux du maire")
    assert _receivers(first) == {neighbour_commune.pk: "accepted"}
    return commune, neighbour_commune


def test_a_known_plan_costs_one_query(known_plan):
    commune, _neighbour = known_plan
    with CaptureQueriesContext(connection) as queries:
        plan = sharing_plan(commune=commune)
    assert len(queries) == 1
    assert plan is not None and plan.kinds == {"news"}


def test_a_new_acceptance_rule_applies_to_the_next_publish(known_plan):
    commune, neighbour = known_plan
    AcceptanceRule.objects.create(receiver=neighbour, source_commune=commune, kind="news",
                                  decision="review")
    assert _receivers(make_news(commune, title="Repas des aînés")) == {neighbour.pk: "pending"}


def test_a_changed_default_answer_applies_to_the_next_publish(known_plan):
    commune, neighbour = known_plan
    policy = SharingPolicy.objects.get(commune=neighbour)
    policy.default_acceptance = "review"
    policy.save()
    assert _receivers(make_news(commune, title="Repas des aînés")) == {neighbour.pk: "pending"}


def test_a_new_commune_nearby_receives_the_next_publish(known_plan):
    commune, neighbour = known_plan
    newcomer = make_commune(name="Lavau-sur-Loire", latitude=commune.latitude + 0.01,
                            longitude=commune.longitude, epci_code="")
    receivers = _receivers(make_news(commune, title="Repas des aînés"))
    assert receivers == {neighbour.pk: "accepted", newcomer.pk: "pending"}


def test_rules_changed_in_the_policy_form_apply_to_the_next_publish(known_plan, far_commune):
    commune, neighbour = known_plan
    sharing_policy(commune, kinds=["news"], radius_km=10, named=[far_commune])
    receivers = _receivers(make_news(commune, title="Repas des aînés"))
    assert receivers == {neighbour.pk: "accepted", far_commune.pk: "pending"}

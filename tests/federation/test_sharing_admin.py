"""The sharing screens of the Wagtail admin, through real requests: per-commune
permissions, decisions, rules, reports, and bad input answered with form errors."""

import pytest
from django.urls import reverse

from federation.models import AcceptanceRule, SharedItem, SharingPolicy
from tests.factories import make_news, publish, worker_pass

from .conftest import communicant, sharing_policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_cache")]


@pytest.fixture
def donges_user(commune):
    return communicant(commune, "com-donges")


@pytest.fixture
def montoir_user(neighbour_commune):
    return communicant(neighbour_commune, "com-montoir")


@pytest.fixture
def shared(commune, neighbour_commune):
    sharing_policy(commune)
    return publish(make_news(commune, title="Vide-grenier"))


def _refused(response) -> bool:
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"))


def _rules_data(**overrides):
    data = {
        "policy-kinds": ["news", "event"], "policy-radius_km": "10",
        "policy-default_acceptance": "review",
        "rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "1000",
        "rules-0-source_commune": "", "rules-0-source_server": "", "rules-0-kind": "",
        "rules-0-decision": "accept",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_anonymous_is_sent_to_login(client, commune):
    response = client.get(reverse("federation_sharing:rules", args=[commune.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_communicant_edits_own_rules_and_shares_are_reevaluated(
        client, commune, neighbour_commune, donges_user):
    news = make_news(commune)
    client.force_login(donges_user)
    url = reverse("federation_sharing:rules", args=[commune.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _rules_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    worker_pass("sharing.reevaluate")  # the re-evaluation runs in the worker
    policy = SharingPolicy.objects.get(commune=commune)
    assert (policy.kinds, policy.radius_km, policy.updated_by) == (["news", "event"], 10.0,
                                                                   donges_user)
    # The existing news item is now shared with Montoir (re-evaluation).
    assert SharedItem.objects.filter(page=news, receiver=neighbour_commune).exists()


def test_communicant_adds_an_acceptance_rule_that_accepts_pending_items(
        client, commune, neighbour_commune, montoir_user, shared):
    client.force_login(montoir_user)
    url = reverse("federation_sharing:rules", args=[neighbour_commune.pk])
    response = client.post(url, _rules_data(**{"policy-kinds": [],
                                               "rules-0-source_commune": str(commune.pk)}))
    assert response.status_code == 302
    assert AcceptanceRule.objects.get(receiver=neighbour_commune).source_commune == commune
    assert SharedItem.objects.get(page=shared).state == "accepted"


@pytest.mark.parametrize("overrides, field", [
    ({"policy-radius_km": "-5"}, "radius_km"),
    ({"policy-radius_km": "abc"}, "radius_km"),
    ({"policy-radius_km": "1e400"}, "radius_km"),
    ({"policy-kinds": ["news", "bogus"]}, "kinds"),
    ({"policy-default_acceptance": "maybe"}, "default_acceptance"),
    ({"policy-named_communes": ["999999999999999999999"]}, "named_communes"),
    ({"policy-categories": ["x"]}, "categories"),
    ({"rules-0-decision": "accept", "rules-0-source_server": "http://evil/x"}, "source_server"),
    ({"rules-0-kind": "nope"}, "kind"),
    ({"rules-TOTAL_FORMS": "abc"}, None),
])
def test_bad_rules_input_gives_form_errors_not_500(client, commune, donges_user, overrides,
                                                   field):
    client.force_login(donges_user)
    url = reverse("federation_sharing:rules", args=[commune.pk])
    response = client.post(url, _rules_data(**overrides))
    assert response.status_code == 400
    errors = dict(response.context["form"].errors)
    formset = response.context["formset"]
    if formset.is_bound and formset.management_form.is_valid():
        for form in formset.forms:
            errors.update(form.errors)
    else:
        assert formset.non_form_errors()
    if field:
        assert field in errors
    assert not SharingPolicy.objects.filter(commune=commune).exists()


def test_acceptance_rule_without_criteria_is_a_form_error(client, commune, donges_user):
    client.force_login(donges_user)
    url = reverse("federation_sharing:rules", args=[commune.pk])
    response = client.post(url, _rules_data(**{"rules-0-decision": "review"}))
    # An untouched extra row is ignored; a changed one without criteria is refused.
    assert response.status_code == 400
    assert "Choisissez une origine" in response.content.decode()
    assert not AcceptanceRule.objects.exists()


def test_communicant_cannot_touch_another_communes_rules_or_decisions(
        client, commune, neighbour_commune, donges_user, shared):
    client.force_login(donges_user)
    share = SharedItem.objects.get(page=shared)  # received by Montoir
    for name in ("rules", "queue", "outgoing"):
        assert _refused(client.get(reverse(f"federation_sharing:{name}",
                                           args=[neighbour_commune.pk])))
    response = client.post(reverse("federation_sharing:rules", args=[neighbour_commune.pk]),
                           _rules_data())
    assert _refused(response)
    assert not SharingPolicy.objects.filter(commune=neighbour_commune).exists()
    response = client.post(reverse("federation_sharing:decide", args=[neighbour_commune.pk]),
                           {"share": share.pk, "action": "hide"})
    assert _refused(response)
    # Through its own commune's URL, another commune's item is not found.
    response = client.post(reverse("federation_sharing:decide", args=[commune.pk]),
                           {"share": share.pk, "action": "hide"})
    assert response.status_code == 404
    share.refresh_from_db()
    assert share.state == "pending"


def test_review_queue_accept_hide_feature(client, neighbour_commune, montoir_user, shared):
    client.force_login(montoir_user)
    queue = reverse("federation_sharing:queue", args=[neighbour_commune.pk])
    page = client.get(queue)
    assert page.status_code == 200
    assert "Vide-grenier" in page.content.decode()
    share = SharedItem.objects.get(page=shared)
    decide = reverse("federation_sharing:decide", args=[neighbour_commune.pk])

    assert client.post(decide, {"share": share.pk, "action": "accept"}).status_code == 302
    share.refresh_from_db()
    assert (share.state, share.decided_by) == ("accepted", montoir_user)
    client.post(decide, {"share": share.pk, "action": "feature"})
    share.refresh_from_db()
    assert share.featured
    client.post(decide, {"share": share.pk, "action": "hide"})
    share.refresh_from_db()
    assert (share.state, share.featured) == ("hidden", False)
    assert client.get(queue, {"state": "hidden"}).status_code == 200
    assert client.get(queue, {"state": "<script>"}).status_code == 200


@pytest.mark.parametrize("data", [
    {"share": "abc", "action": "accept"},
    {"share": str(2**70), "action": "accept"},
    {"action": "accept"},
    {"share": "1", "action": "explode"},
])
def test_bad_decisions_are_refused_without_500(client, neighbour_commune, montoir_user, shared,
                                               data):
    client.force_login(montoir_user)
    response = client.post(reverse("federation_sharing:decide", args=[neighbour_commune.pk]),
                           data)
    assert response.status_code == 302
    assert SharedItem.objects.get(page=shared).state == "pending"


def test_impossible_transition_is_a_message_not_500(client, neighbour_commune, montoir_user,
                                                    shared):
    client.force_login(montoir_user)
    share = SharedItem.objects.get(page=shared)
    response = client.post(reverse("federation_sharing:decide", args=[neighbour_commune.pk]),
                           {"share": share.pk, "action": "feature"}, follow=True)
    assert response.status_code == 200
    assert "pas possible" in response.content.decode()


def test_origin_sees_where_each_item_is_shared(client, commune, neighbour_commune, donges_user,
                                               montoir_user, shared):
    client.force_login(donges_user)
    report = client.get(reverse("federation_sharing:outgoing", args=[commune.pk]))
    assert report.status_code == 200
    body = report.content.decode()
    assert "Vide-grenier" in body and 'data-receiver="44103"' in body
    assert 'data-state="pending"' in body

    page_report = client.get(reverse("federation_sharing:page", args=[shared.pk]))
    assert page_report.status_code == 200
    assert "Montoir-de-Bretagne" in page_report.content.decode()

    client.force_login(montoir_user)
    assert _refused(client.get(reverse("federation_sharing:page", args=[shared.pk])))


def test_huge_ids_are_404_not_500(client, donges_user):
    client.force_login(donges_user)
    assert client.get(f"/admin/partage/{2**70}/").status_code == 404
    assert client.get(f"/admin/partage/page/{2**70}/").status_code == 404


def test_menu_and_index(client, commune, neighbour_commune, donges_user):
    client.force_login(donges_user)
    response = client.get(reverse("federation_sharing:index"))
    assert response.status_code == 302  # one commune: straight to its queue
    assert "Partage" in client.get("/admin/").content.decode()


def test_page_editor_links_to_the_items_sharing_report(client, donges_user, shared):
    client.force_login(donges_user)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[shared.pk]))
    assert response.status_code == 200
    assert reverse("federation_sharing:page", args=[shared.pk]) in response.content.decode()

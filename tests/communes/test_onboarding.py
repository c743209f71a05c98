"""Onboarding a commune from the admin (issue 28, items 3 and 4).

A platform administrator searches the official data by name, postcode or INSEE code,
sees the commune's EPCI and the neighbours already here, creates it in one step (pages,
Site, roles, workflow) and invites its first communicant, who sets a password through
the link mailed. Nobody else may.
"""

import re
from html import escape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from wagtail.models import Site, WorkflowPage

from cms.communes.models import CommuneHomePage
from cms.communes.onboarding import official_communes
from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data"
URL = "/admin/communes/ajouter/"


@pytest.fixture(autouse=True)
def _official_data(settings):
    settings.CLOCHER_ETALAB_DATA_DIR = DATA / "etalab"
    settings.CLOCHER_GEONAMES_CSV = str(DATA / "geonames" / "cities1000-extract.csv")


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("plateforme", "p@example.org", "pw")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.mark.parametrize(("query", "expected"), [
    ("44046", ["Corsept"]), ("44560", ["Corsept", "Paimbœuf"]), ("paimboeuf", ["Paimbœuf"]),
    ("SAINT", ["Saint-André-des-Eaux", "Saint-Joachim", "Saint-Malo-de-Guersac",
               "Saint-Nazaire"]),
])
def test_search_official_data_by_code_postcode_or_name(admin_client, query, expected):
    html = admin_client.get(URL, {"q": query}).content.decode()
    table = html.split('class="listing onboarding-results"')[1].split("</table>")[0]
    names = re.findall(r'<a href="\?q=[^"&]*&amp;insee=\w+">([^<]+)</a>', table)
    assert sorted(names) == sorted(expected)


def test_candidate_shows_epci_and_neighbours_already_here(admin_client, commune,
                                                         neighbour_commune):
    html = admin_client.get(URL, {"insee": "44176"}).content.decode()  # Saint-Malo-de-Guersac
    # Not searched: no results table saying that nothing matched.
    assert "onboarding-results" not in html
    candidate = html.split('class="onboarding-candidate"')[1]
    assert "Saint-Malo-de-Guersac (44176)" in candidate
    official = official_communes()["44176"]
    assert official.epci_code and escape(official.epci_name) in candidate
    assert f"SIREN {official.epci_code}" in candidate
    epci = candidate.split('class="epci-members"')[1].split("</p>")[0]
    assert "Donges" in epci and "Montoir-de-Bretagne" in epci
    neighbours = candidate.split('class="neighbours"')[1].split("</p>")[0]
    assert "Montoir-de-Bretagne" in neighbours and " km)" in neighbours
    assert 'value="create"' in candidate


def test_create_then_invite_the_first_communicant(admin_client, django_capture_on_commit_callbacks):
    response = admin_client.post(URL, {"action": "create", "insee": "44046"})
    assert response.status_code == 302
    corsept = CommuneHomePage.objects.get(insee_code="44046", locale__language_code="fr")
    assert corsept.live and corsept.get_children().count() >= 5
    assert Site.objects.filter(root_page=corsept).exists()
    assert WorkflowPage.objects.filter(page=corsept).exists()
    html = admin_client.get(URL, {"insee": "44046"}).content.decode()
    assert 'value="invite"' in html and 'value="create"' not in html

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(URL, {"action": "invite", "insee": "44046",
                                           "email": "Com@Corsept.fr"})
    assert response.status_code == 302
    user = get_user_model().objects.get(email__iexact="com@corsept.fr")
    assert not user.has_usable_password()
    # The communicant role of Corsept: it may publish there.
    assert corsept.permissions_for_user(user).can_publish()
    (message,) = mail.outbox
    assert message.to == ["Com@corsept.fr"] and "Corsept" in message.subject
    link = re.search(r"https?://\S+/admin/password_reset/confirm/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]
    # The link sets a password (Wagtail's confirmation view), then the user logs in.
    admin_client.logout()
    form = admin_client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = admin_client.post(set_url, {"new_password1": "Clocher-Corsept-2024!",
                                       "new_password2": "Clocher-Corsept-2024!"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Clocher-Corsept-2024!")


@pytest.mark.parametrize(("data", "status"), [
    ({"action": "invite", "insee": "44046", "email": "not-an-address"}, 400),
    ({"action": "invite", "insee": "44046", "email": "a@b.fr"}, 400),  # not created yet
    ({"action": "create", "insee": "../../"}, 400),
    ({"action": "create", "insee": "99999"}, 302),  # unknown: a message, nothing created
    ({"action": "dance", "insee": "44046"}, 200),
])
def test_bad_input_is_refused_without_500(admin_client, data, status):
    response = admin_client.post(URL, data)
    assert response.status_code == status
    assert not CommuneHomePage.objects.filter(insee_code__in=["44046", "99999"]).exists()


def test_only_platform_administrators_onboard(client, commune):
    make = get_user_model().objects.create_user
    communicant = make(username="com", password="pw")
    user_add_to_role(user=communicant, commune=commune, role=CommuneRole.COMMUNICANT)
    animateur = make(username="anim", password="pw")
    animateur.groups.add(animateur_group_setup(name="Animation", communes=[commune]))
    for user in (communicant, animateur):
        client.force_login(user)
        assert client.get(URL, {"q": "Corsept"}).status_code in (302, 403)
        response = client.post(URL, {"action": "create", "insee": "44046"})
        assert response.status_code in (302, 403)
        assert not CommuneHomePage.objects.filter(insee_code="44046").exists()
        menu = client.get(reverse("wagtailadmin_home")).content.decode()
        assert URL not in menu

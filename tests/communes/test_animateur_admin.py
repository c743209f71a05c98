"""Animateurs see the communes they cover and can be given new ones from the admin
(issue 28, item 4); only platform administrators change that."""

import pytest
from django.contrib.auth import get_user_model

from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role

pytestmark = pytest.mark.django_db
URL = "/admin/communes/animateurs/"


def group_row(html: str) -> str:
    table = html.split('class="listing animateur-groups"')[1]
    return table.split("Animation — CARENE")[1].split("</tr>")[0]


@pytest.fixture
def carene(commune):
    return animateur_group_setup(name="Animation — CARENE", communes=[commune])


@pytest.fixture
def animateur(carene):
    user = get_user_model().objects.create_user(username="anim", password="pw")
    user.groups.add(carene)
    return user


def test_administrator_sees_and_extends_an_animateurs_communes(
        client, commune, neighbour_commune, carene, animateur):
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.fr", "pw"))
    row = group_row(client.get(URL).content.decode())
    assert "Donges" in row and "Montoir" not in row
    assert not neighbour_commune.permissions_for_user(animateur).can_publish()
    response = client.post(f"{URL}{carene.pk}/", {
        "name": "Animation — CARENE", "communes": [commune.pk, neighbour_commune.pk]})
    assert response.status_code == 302
    # A fresh user object: Wagtail caches a user's page permissions on the instance.
    animateur = get_user_model().objects.get(pk=animateur.pk)
    assert neighbour_commune.permissions_for_user(animateur).can_publish()
    row = group_row(client.get(URL).content.decode())
    assert "Donges" in row and "Montoir-de-Bretagne" in row
    # And the animateur's queue shows its communes at a glance.
    client.force_login(animateur)
    queue = client.get("/admin/moderation/").content.decode()
    mine = queue.split('id="my-communes"')[1].split("</section>")[0]
    assert "Donges" in mine and "Montoir-de-Bretagne" in mine


def test_bad_input_is_a_form_error(client, carene):
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.fr", "pw"))
    response = client.post(f"{URL}{carene.pk}/", {"name": "", "communes": ["999999"]})
    assert response.status_code == 400
    assert 'class="error-message"' in response.content.decode()
    assert client.get(f"{URL}999999/").status_code == 404


def test_communicants_and_animateurs_cannot_change_territories(client, commune, carene,
                                                              animateur, neighbour_commune):
    communicant = get_user_model().objects.create_user(username="com", password="pw")
    user_add_to_role(user=communicant, commune=commune, role=CommuneRole.COMMUNICANT)
    for user in (communicant, animateur):
        client.force_login(user)
        assert client.get(URL).status_code in (302, 403)
        response = client.post(f"{URL}{carene.pk}/", {
            "name": "Animation — CARENE", "communes": [commune.pk, neighbour_commune.pk]})
        assert response.status_code in (302, 403)
        assert not neighbour_commune.permissions_for_user(animateur).can_publish()

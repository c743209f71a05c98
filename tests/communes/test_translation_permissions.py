"""Communicants translate their commune's pages (issue 28, item 1).

wagtail-localize's *Traduire* is given to communicants and animateurs, and narrowed to
the pages they may edit; the translated copy is theirs to edit and publish. A
contributor and a communicant of another commune are refused. Machine translation is
off unless a provider is configured.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Locale, Page

from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role
from cms.content.models import EventPage
from tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(commune, neighbour_commune):
    make = get_user_model().objects.create_user
    users = {name: make(username=name, password="pw")
             for name in ("communicant", "contributeur", "voisin", "animateur")}
    user_add_to_role(user=users["communicant"], commune=commune, role=CommuneRole.COMMUNICANT)
    user_add_to_role(user=users["contributeur"], commune=commune,
                     role=CommuneRole.CONTRIBUTEUR)
    user_add_to_role(user=users["voisin"], commune=neighbour_commune,
                     role=CommuneRole.COMMUNICANT)
    group = animateur_group_setup(name="Animation — Donges", communes=[commune])
    users["animateur"].groups.add(group)
    return users


@pytest.fixture
def event(commune):
    return make_event(commune, title="Fête de la musique")


def refused(response) -> bool:
    """403, or the admin's own refusal: a redirect to the dashboard (Wagtail turns a
    PermissionDenied raised inside its views into one)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"))


def submit_url(page) -> str:
    return reverse("wagtail_localize:submit_page_translation", args=[page.pk])


def translate(client, user, page, language="en"):
    client.force_login(user)
    locale = Locale.objects.get(language_code=language)
    return client.post(submit_url(page), {"locales": [locale.pk]})


@pytest.mark.parametrize("who", ["communicant", "animateur"])
def test_communicant_translates_and_publishes_their_communes_page(client, people, event, who):
    user = people[who]
    client.force_login(user)
    assert client.get(submit_url(event)).status_code == 200
    response = translate(client, user, event)
    assert response.status_code == 302
    english = event.get_translation(Locale.objects.get(language_code="en"))
    # The translation is theirs to edit and to publish (its commune's roles cover it).
    permissions = english.permissions_for_user(user)
    assert permissions.can_edit() and permissions.can_publish()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[english.pk])).status_code == 200
    # The page's admin header offers the action.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert submit_url(event) in edit


@pytest.mark.parametrize("who", ["contributeur", "voisin"])
def test_others_cannot_translate(client, people, event, who):
    client.force_login(people[who])
    assert refused(client.get(submit_url(event)))
    assert refused(translate(client, people[who], event))
    assert not EventPage.objects.filter(translation_key=event.translation_key,
                                        locale__language_code="en").exists()


def test_neighbours_communicant_cannot_translate_by_page_id(client, people, commune):
    # The submit view takes any page id: the commune's own home included.
    client.force_login(people["voisin"])
    assert refused(client.get(submit_url(Page.objects.get(pk=commune.pk))))


def test_translated_commune_home_is_covered_by_the_communes_roles(people, commune, event):
    english = event.copy_for_translation(Locale.objects.get(language_code="en"),
                                         copy_parents=True)
    home = english.get_ancestors().type(type(commune)).get()
    assert home.locale.language_code == "en"
    for who in ("communicant", "animateur"):
        assert home.permissions_for_user(people[who]).can_publish(), who
    assert not home.permissions_for_user(people["voisin"]).can_edit()


def test_machine_translation_is_off_by_default(settings):
    from wagtail_localize.machine_translators import get_machine_translator

    assert not hasattr(settings, "WAGTAILLOCALIZE_MACHINE_TRANSLATOR")
    assert get_machine_translator() is None

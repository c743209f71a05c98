"""The moderators' queue and residents' proposals (issue 28, items 2 and 3).

The queue lists commune, kind, submitter and age, filters by commune and shows the
animateur's communes; an animateur sees only its communes' items, a communicant only
its commune's. A resident's proposal publishes the organiser they chose (nothing by
default, never their name); the moderator sees their address; the moderator's comment
reaches them when the proposal is declined or changes are requested.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState

from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role
from cms.content.models import EventIndexPage, EventPage
from frontend.models import Contribution
from tests.factories import EventPageFactory, section

from .test_contributions import event_data, post

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/"


@pytest.fixture
def people(commune, neighbour_commune, far_commune):
    make = get_user_model().objects.create_user
    users = {name: make(username=name, password="pw", email=f"{name}@example.org")
             for name in ("communicant", "redacteur", "animateur", "guerandais")}
    user_add_to_role(user=users["communicant"], commune=commune, role=CommuneRole.COMMUNICANT)
    user_add_to_role(user=users["redacteur"], commune=neighbour_commune,
                     role=CommuneRole.CONTRIBUTEUR)
    user_add_to_role(user=users["guerandais"], commune=far_commune,
                     role=CommuneRole.CONTRIBUTEUR)
    group = animateur_group_setup(name="Animation — CARENE",
                                  communes=[commune, neighbour_commune])
    users["animateur"].groups.add(group)
    return users


def staff_submission(user, commune, title):
    """A draft submitted to the commune's workflow by a staff user."""
    event = EventPageFactory(parent=section(commune, EventIndexPage), title=title, live=False)
    revision = event.save_revision(user=user)
    event.get_workflow().start(event, user)
    return revision.content_object


@pytest.fixture
def queue(client, people, commune, neighbour_commune, far_commune,
          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, event_data(title="Kermesse")).status_code == 302
    staff_submission(people["redacteur"], neighbour_commune, "Course du port")
    staff_submission(people["guerandais"], far_commune, "Salon du sel")
    return people


def rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_animateur_sees_commune_kind_submitter_and_age_of_its_communes_only(client, queue):
    client.force_login(queue["animateur"])
    response = client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    found = rows(html)
    assert len(found) == 2
    kermesse = next(row for row in found if "Kermesse" in row)
    assert "Donges" in kermesse and "événement" in kermesse
    # The resident's name and address, for the moderator only.
    assert "Claire Martin" in kermesse and 'href="mailto:claire@example.org"' in kermesse
    assert "<time datetime=" in kermesse
    assert "moins d'une minute</time>" in kermesse and "0\xa0minute" not in kermesse
    course = next(row for row in found if "Course du port" in row)
    assert "Montoir-de-Bretagne" in course and "redacteur" in course
    assert "Salon du sel" not in html
    # Its communes at a glance, with what waits in each.
    communes = html.split('id="my-communes"')[1].split("</section>")[0]
    assert "Donges" in communes and "Montoir-de-Bretagne" in communes
    assert "Guérande" not in communes
    assert "1 en attente" in communes


def test_queue_filters_by_commune(client, queue):
    client.force_login(queue["animateur"])
    html = client.get(QUEUE, {"commune": "44103"}).content.decode()
    found = rows(html)
    assert len(found) == 1 and "Course du port" in found[0]


def test_filtering_by_a_commune_not_covered_is_a_form_error(client, queue):
    client.force_login(queue["animateur"])
    response = client.get(QUEUE, {"commune": "44069"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-message"' in html and "Salon du sel" not in html


def test_communicant_sees_only_its_communes_items(client, queue):
    client.force_login(queue["communicant"])
    html = client.get(QUEUE).content.decode()
    found = rows(html)
    assert len(found) == 1 and "Kermesse" in found[0]
    assert "Montoir-de-Bretagne" not in html


def test_queue_needs_the_admin(client, queue):
    assert client.get(QUEUE).status_code == 302  # to the login page
    resident = get_user_model().objects.create_user(username="resident", password="pw")
    client.force_login(resident)
    assert client.get(QUEUE)["Location"] != QUEUE


def test_proposal_does_not_publish_the_residents_name(client, commune):
    post(client, event_data(title="Kermesse"))
    post(client, event_data(title="Loto", organiser="Comité des fêtes"))
    assert EventPage.objects.get(title="Kermesse").organiser == ""
    assert EventPage.objects.get(title="Loto").organiser == "Comité des fêtes"
    for event in EventPage.objects.filter(title__in=["Kermesse", "Loto"]):
        assert "Claire Martin" not in str(event.__dict__)


@pytest.mark.parametrize("comment", ["Merci d'ajouter l'heure de fin et le tarif.", ""])
def test_moderators_comment_reaches_the_resident(client, queue, commune, comment,
                                                 django_capture_on_commit_callbacks):
    kermesse = EventPage.objects.get(title="Kermesse")
    state = WorkflowState.objects.get(object_id=str(kermesse.pk))
    task_state = state.current_task_state
    client.force_login(queue["animateur"])
    mail.outbox.clear()
    url = reverse("wagtailadmin_pages:workflow_action",
                  args=[kermesse.pk, "reject", task_state.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"comment": comment})
    assert response.status_code in (200, 302)
    contribution = Contribution.objects.get(page=kermesse)
    assert contribution.status == Contribution.Status.DECLINED
    assert contribution.moderator_comment == comment
    sent = [m for m in mail.outbox if "claire@example.org" in m.to]
    assert len(sent) == 1
    if comment:
        assert comment in sent[0].body
    else:
        assert "contacter la mairie" in sent[0].body

"""Who may do what, per commune: roles × communes × actions, then moderation and scheduling.

Every row of the matrix is checked twice: through Wagtail's permission API and through
the admin itself (real requests with the test client), so that a permission the API
grants but a view refuses, or the reverse, shows up.
"""

import datetime as dt
import json
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
)
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.communes.roles import (
    CommuneRole,
    animateur_group_setup,
    commune_role_group,
    commune_roles_setup,
    user_add_to_role,
)
from cms.communes.services import CommuneData, commune_upsert
from cms.content.models import AlertIndexPage, EventIndexPage, EventPage
from tests.factories import EventPageFactory, make_commune, section

pytestmark = pytest.mark.django_db

ACTIONS = ("explore", "edit", "publish", "submit", "delete")
ALL = dict.fromkeys(ACTIONS, True)
NOTHING = dict.fromkeys(ACTIONS, False)
# A contributor writes drafts: deleting a live page would unpublish it, so it is refused too.
DRAFTS_ONLY = {**NOTHING, "explore": True, "edit": True, "submit": True}

# (who, in which commune, what they may do to a published event page there).
# "animateur" covers Donges and Montoir (CARENE), not Guérande (Cap Atlantique);
# "voisin" is a communicant of Montoir, i.e. a user of another commune.
MATRIX = [
    ("communicant", "donges", ALL),
    ("communicant", "montoir", NOTHING),
    ("communicant", "guerande", NOTHING),
    ("contributeur", "donges", DRAFTS_ONLY),
    ("contributeur", "montoir", NOTHING),
    ("contributeur", "guerande", NOTHING),
    ("animateur", "donges", ALL),
    ("animateur", "montoir", ALL),
    ("animateur", "guerande", NOTHING),
    ("superuser", "donges", ALL),
    ("superuser", "montoir", ALL),
    ("superuser", "guerande", ALL),
    ("voisin", "donges", NOTHING),
    ("voisin", "montoir", ALL),
    ("voisin", "guerande", NOTHING),
]
MATRIX_IDS = [f"{who}-{where}" for who, where, _ in MATRIX]


@pytest.fixture
def far_commune(db):
    """Guérande, 25 km from Donges, in another EPCI (Cap Atlantique)."""
    return make_commune(
        insee_code="44069",
        name="Guérande",
        population=16_000,
        postcodes=["44350"],
        epci_code="244400610",
        epci_name="Cap Atlantique",
        latitude=47.3281,
        longitude=-2.4292,
    )


@pytest.fixture
def communes(commune, neighbour_commune, far_commune):
    return {"donges": commune, "montoir": neighbour_commune, "guerande": far_commune}


@pytest.fixture
def people(communes):
    """One user per row of the matrix, given their role through the real services."""
    make = get_user_model().objects.create_user
    users = {
        "communicant": make(username="communicant", password="pw"),
        "contributeur": make(username="contributeur", password="pw"),
        "animateur": make(username="animateur", password="pw"),
        "voisin": make(username="voisin", password="pw"),
        "superuser": get_user_model().objects.create_superuser(username="admin", password="pw"),
    }
    user_add_to_role(
        user=users["communicant"], commune=communes["donges"], role=CommuneRole.COMMUNICANT
    )
    user_add_to_role(
        user=users["contributeur"], commune=communes["donges"], role=CommuneRole.CONTRIBUTEUR
    )
    user_add_to_role(
        user=users["voisin"], commune=communes["montoir"], role=CommuneRole.COMMUNICANT
    )
    carene = animateur_group_setup(
        name="Animation — CARENE", communes=[communes["donges"], communes["montoir"]]
    )
    users["animateur"].groups.add(carene)
    return users


@pytest.fixture
def events(communes, people):
    """A published event in each commune, owned by someone else than the users under test."""
    return {
        name: EventPageFactory(
            parent=section(commune, EventIndexPage),
            title=f"Fête à {name}",
            owner=people["superuser"],
        )
        for name, commune in communes.items()
    }


def fresh(user):
    # Wagtail caches permissions on the user object; a new instance reads them again.
    return get_user_model().objects.get(pk=user.pk)


def abilities_via_api(*, user, page) -> dict[str, bool]:
    permissions = page.permissions_for_user(user)
    explorable = PagePermissionPolicy().explorable_instances(user)
    return {
        "explore": explorable.filter(pk=page.pk).exists(),
        "edit": permissions.can_edit(),
        "publish": permissions.can_publish(),
        # Wagtail's can_submit_for_moderation() only looks at the workflow; the editor
        # that offers it needs can_edit() first.
        "submit": permissions.can_edit() and permissions.can_submit_for_moderation(),
        "delete": permissions.can_delete(),
    }


def abilities_via_admin(*, client, page) -> dict[str, bool]:
    listing = client.get(f"/admin/pages/{page.get_parent().pk}/")
    editor = client.get(f"/admin/pages/{page.pk}/edit/")
    editor_html = editor.content.decode() if editor.status_code == 200 else ""
    return {
        # Wagtail redirects a listing outside the user's tree to the user's own root.
        "explore": listing.status_code == 200 and page.title in listing.content.decode(),
        "edit": editor.status_code == 200,
        "publish": 'name="action-publish"' in editor_html,
        "submit": 'name="action-submit"' in editor_html,
        "delete": client.get(f"/admin/pages/{page.pk}/delete/").status_code == 200,
    }


@pytest.mark.parametrize(("who", "where", "expected"), MATRIX, ids=MATRIX_IDS)
def test_permission_api_matrix(people, events, who, where, expected):
    assert abilities_via_api(user=fresh(people[who]), page=events[where]) == expected


@pytest.mark.parametrize(("who", "where", "expected"), MATRIX, ids=MATRIX_IDS)
def test_admin_matrix(client, people, events, who, where, expected):
    client.force_login(people[who])
    assert abilities_via_admin(client=client, page=events[where]) == expected


def test_communicant_sees_only_their_commune_in_the_explorer(client, communes, people, events):
    client.force_login(people["communicant"])
    donges, montoir = communes["donges"], communes["montoir"]

    response = client.get("/admin/pages/", follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/pages/{donges.pk}/"
    listing = response.content.decode()
    assert f"/admin/pages/{section(donges, EventIndexPage).pk}/" in listing
    # The listing's "site" filter names every commune; no Montoir page may be linked.
    for page in montoir.get_descendants(inclusive=True):
        assert f"/admin/pages/{page.pk}/" not in listing

    for outside in (montoir, montoir.get_parent(), events["montoir"].get_parent()):
        response = client.get(f"/admin/pages/{outside.pk}/")
        assert response.status_code == 302
        assert response.url == f"/admin/pages/{donges.pk}/"

    results = client.get("/admin/pages/search/", {"q": "Fête"}).content.decode()
    assert "Fête à donges" in results
    assert "Fête à montoir" not in results


def test_publishing_another_communes_page_is_refused_and_changes_nothing(client, people, events):
    page = events["montoir"]
    before = Page.objects.get(pk=page.pk)
    client.force_login(people["communicant"])

    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        event_form_data(
            title="Piraté", slug=page.slug, start=page.start, **{"action-publish": "1"}
        ),
    )

    assert response.status_code == 302
    assert response.url == "/admin/"
    after = Page.objects.get(pk=page.pk)
    assert (after.title, after.draft_title) == ("Fête à montoir", "Fête à montoir")
    assert after.latest_revision_id == before.latest_revision_id
    assert after.live_revision_id == before.live_revision_id


def test_contributor_has_no_publish_button_and_publishing_is_refused(client, people, events):
    page = events["donges"]
    live_revision = page.live_revision_id
    client.force_login(people["contributeur"])

    editor = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'name="action-publish"' not in editor
    assert 'name="action-submit"' in editor

    # Asking to publish anyway only saves a draft: the live page does not change.
    client.post(
        f"/admin/pages/{page.pk}/edit/",
        event_form_data(
            title="Fête annulée", slug=page.slug, start=page.start, **{"action-publish": "1"}
        ),
    )
    after = Page.objects.get(pk=page.pk)
    assert after.title == "Fête à donges"
    assert after.live_revision_id == live_revision
    assert after.draft_title == "Fête annulée"
    assert after.has_unpublished_changes


def test_submissions_from_both_communes_reach_the_animateur_and_approval_publishes(
    client, communes, people
):
    make = get_user_model().objects.create_user
    montoir_contributor = make(username="contributeur-montoir", password="pw")
    user_add_to_role(
        user=montoir_contributor, commune=communes["montoir"], role=CommuneRole.CONTRIBUTEUR
    )
    submissions = {
        "donges": event_submit(
            client=client,
            user=people["contributeur"],
            commune=communes["donges"],
            title="Ciné plein air",
        ),
        "montoir": event_submit(
            client=client,
            user=montoir_contributor,
            commune=communes["montoir"],
            title="Bal du port",
        ),
    }

    for where, page in submissions.items():
        assert not page.live
        state = WorkflowState.objects.for_instance(page).get()
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.workflow.name == f"Modération — {communes[where].title}"

    # One queue for the animateur; each commune's communicants see only their own.
    reviewable = {
        who: set(
            TaskState.objects.reviewable_by(fresh(people[who])).values_list(
                "workflow_state__object_id", flat=True
            )
        )
        for who in ("animateur", "communicant", "voisin", "contributeur")
    }
    assert reviewable["animateur"] == {str(page.pk) for page in submissions.values()}
    assert reviewable["communicant"] == {str(submissions["donges"].pk)}
    assert reviewable["voisin"] == {str(submissions["montoir"].pk)}
    assert reviewable["contributeur"] == set()

    client.force_login(people["animateur"])
    dashboard = client.get("/admin/").content.decode()
    assert "Ciné plein air" in dashboard
    assert "Bal du port" in dashboard

    page = submissions["donges"]
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_APPROVED
    site_response = client.get(f"/agenda/{page.slug}/", HTTP_HOST="donges.localhost")
    assert site_response.status_code == 200
    assert "Ciné plein air" in site_response.content.decode()


def test_approval_is_refused_to_a_user_of_another_commune(client, communes, people):
    page = event_submit(
        client=client, user=people["contributeur"], commune=communes["donges"], title="Loto"
    )
    task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk))
    client.force_login(people["voisin"])

    client.post(f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": ""})

    page.refresh_from_db()
    assert not page.live
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS


def test_scheduled_publishing_and_expiry(commune):
    agenda = section(commune, EventIndexPage)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    soon = EventPageFactory(parent=agenda, title="Marché de Noël", live=False)
    soon.go_live_at = timezone.now() - dt.timedelta(minutes=1)
    # Waiting for a go-live date is not a test: schedule it from an hour ago instead.
    with mock.patch("django.utils.timezone.now", return_value=an_hour_ago):
        soon.save_revision().publish()
    soon.refresh_from_db()
    assert not soon.live
    assert soon.latest_revision.approved_go_live_at == soon.go_live_at
    ending = EventPageFactory(parent=agenda, title="Exposition")
    Page.objects.filter(pk=ending.pk).update(expire_at=timezone.now() - dt.timedelta(minutes=1))

    call_command("publish_scheduled")

    soon.refresh_from_db()
    ending.refresh_from_db()
    assert soon.live
    assert not ending.live
    assert ending.expired


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("communicant", False),
        ("animateur", False),
        ("superuser", True),
    ],
)
def test_only_a_platform_administrator_deletes_a_communes_sections(
    client, communes, people, who, allowed
):
    # An empty section is a leaf page: page permissions alone let communicants delete it.
    alerts = section(communes["donges"], AlertIndexPage)
    client.force_login(people[who])

    client.post(f"/admin/pages/{alerts.pk}/delete/")

    assert AlertIndexPage.objects.filter(pk=alerts.pk).exists() is not allowed


def test_bulk_delete_of_a_section_is_refused(client, communes, people):
    alerts = section(communes["donges"], AlertIndexPage)
    client.force_login(people["communicant"])

    response = client.post(
        f"/admin/bulk/wagtailcore/page/delete/?id={alerts.pk}&next=/admin/pages/{alerts.pk}/"
    )

    assert response.status_code == 302
    assert AlertIndexPage.objects.filter(pk=alerts.pk).exists()


def test_communicant_cannot_rewrite_official_data(client, communes, people):
    donges = communes["donges"]
    client.force_login(people["communicant"])
    intro = {
        "blocks": [
            {
                "key": "a",
                "type": "unstyled",
                "text": "Bienvenue",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
            }
        ],
        "entityMap": {},
    }

    client.post(
        f"/admin/pages/{donges.pk}/edit/",
        {
            "title": "Donges",
            "slug": "donges",
            "intro": json.dumps(intro),
            "insee_code": "44999",
            "population": "1",
            "postcodes": '["44480"]',
            "department_code": "44",
            "department_name": "Loire-Atlantique",
            "epci_code": "244400644",
            "epci_name": "CARENE",
            "latitude": "47.31824",
            "longitude": "-2.07538",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-publish": "1",
        },
    )

    donges.refresh_from_db()
    assert (donges.insee_code, donges.population) == ("44052", 8219)


def test_commune_roles_setup_is_idempotent(communes, people):
    donges = communes["donges"]

    def snapshot():
        return (
            sorted(Group.objects.values_list("name", flat=True)),
            GroupPagePermission.objects.count(),
            sorted(Collection.objects.values_list("name", flat=True)),
            Workflow.objects.count(),
            WorkflowPage.objects.count(),
            sorted(
                GroupApprovalTask.objects.get(
                    workflow_tasks__workflow__workflow_pages__page=donges
                ).groups.values_list("name", flat=True)
            ),
        )

    before = snapshot()
    commune_roles_setup(commune=donges)
    call_command("setup_roles")
    assert snapshot() == before
    assert before[5] == ["Animation — CARENE", "Donges — communicants"]
    assert "Donges" in before[2]


def test_animateur_coverage_follows_the_list_given(communes, people):
    montoir = communes["montoir"]
    animateur_group_setup(name="Animation — CARENE", communes=[communes["donges"]])

    montoir_task = GroupApprovalTask.objects.get(
        workflow_tasks__workflow__workflow_pages__page=montoir
    )
    assert list(montoir_task.groups.values_list("name", flat=True)) == [
        "Montoir-de-Bretagne — communicants"
    ]
    assert not montoir.permissions_for_user(fresh(people["animateur"])).can_publish()
    assert communes["donges"].permissions_for_user(fresh(people["animateur"])).can_publish()


def test_setup_roles_command_gives_an_animateur_its_communes(communes):
    call_command("setup_roles", animateur="Animation — Brière", insee=["44052,montoir-de-bretagne"])

    group = Group.objects.get(name="Animation — Brière")
    tasks = GroupApprovalTask.objects.filter(groups=group)
    assert sorted(task.name for task in tasks) == [
        "Approbation — Donges",
        "Approbation — Montoir-de-Bretagne",
    ]


def test_renamed_commune_keeps_its_groups(commune):
    group = commune_role_group(commune=commune, role=CommuneRole.COMMUNICANT)
    commune_upsert(
        data=CommuneData(
            insee_code="44052",
            name="Donges-sur-Loire",
            population=8219,
            postcodes=["44480"],
            department_code="44",
            department_name="Loire-Atlantique",
            epci_code="244400644",
            epci_name="CARENE",
            latitude=47.31824,
            longitude=-2.07538,
        )
    )
    commune.refresh_from_db()

    commune_roles_setup(commune=commune)

    renamed = commune_role_group(commune=commune, role=CommuneRole.COMMUNICANT)
    assert renamed.pk == group.pk
    assert renamed.name == "Donges-sur-Loire — communicants"
    assert Workflow.objects.get(workflow_pages__page=commune).name == (
        "Modération — Donges-sur-Loire"
    )


def event_form_data(*, title: str, slug: str, start: dt.datetime, **extra) -> dict[str, str]:
    """Return what the EventPage editor posts, with an empty body and no comments."""
    local_start = timezone.localtime(start)
    return {
        "title": title,
        "slug": slug,
        "start": local_start.strftime("%Y-%m-%d %H:%M"),
        "end": (local_start + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
        "time_zone": "Europe/Paris",
        "summary": "",
        "body-count": "0",
        "venue_name": "Salle des fêtes",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        **extra,
    }


def event_submit(*, client, user, commune, title: str) -> EventPage:
    """Create an event through the admin as `user` and submit it for moderation."""
    from django.utils.text import slugify

    agenda = section(commune, EventIndexPage)
    client.force_login(user)
    response = client.post(
        f"/admin/pages/add/content/eventpage/{agenda.pk}/",
        event_form_data(
            title=title,
            slug=slugify(title),
            start=timezone.now() + dt.timedelta(days=7),
            **{"action-submit": "1"},
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    return EventPage.objects.child_of(agenda).get(title=title)

"""Demo accounts: a superuser, and people with roles in the demo communes."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from cms.communes.models import CommuneHomePage
from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role

# Printed by seed_demo: this is a demo, never a deployment.
DEMO_PASSWORD = "clocher-demo"  # noqa: S105
ADMIN_USERNAME = "admin"
ANIMATEUR_GROUP = "Animateurs — Estuaire de la Loire"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    created: bool


def demo_admin_ensure():
    """Return (admin user, created). An existing admin keeps its password."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=ADMIN_USERNAME).first()
    if user is not None:
        return user, False
    user = user_model.objects.create_superuser(
        username=ADMIN_USERNAME, email="admin@clocher.example", password=DEMO_PASSWORD,
        first_name="Admin", last_name="Démo",
    )
    return user, True


@transaction.atomic
def demo_commune_users_ensure(*, communes: Sequence[CommuneHomePage]) -> list[DemoAccount]:
    """Give each commune a communicant and a contributeur, and the territory an animateur.

    Existing accounts keep their password; they are (re)added to their groups.
    """
    accounts = []
    for commune in communes:
        for role in (CommuneRole.COMMUNICANT, CommuneRole.CONTRIBUTEUR):
            username = f"{role.value.removesuffix('s')}-{commune.slug}"
            user, created = _user_ensure(username, first_name=commune.title,
                                         last_name=role.value.removesuffix("s"))
            user_add_to_role(user=user, commune=commune, role=role)
            accounts.append(DemoAccount(username, f"{role.value} — {commune.title}", created))
    if communes:
        group = animateur_group_setup(name=ANIMATEUR_GROUP, communes=communes)
        user, created = _user_ensure("animateur-estuaire", first_name="Animateur",
                                     last_name="Estuaire")
        user.groups.add(group)
        accounts.append(DemoAccount(user.username, group.name, created))
    return accounts


def _user_ensure(username: str, *, first_name: str, last_name: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = user_model.objects.create_user(
        username=username, email=f"{username}@clocher.example", password=DEMO_PASSWORD,
        first_name=first_name, last_name=last_name,
    )
    return user, True

"""Who may do what in a commune: Wagtail groups, page permissions and moderation.

Roles:

- **communicants** (one group per commune): add, edit, publish, lock and unlock any
  page of the commune's tree, manage the images and documents of the commune's
  collection, and edit the site settings of the commune's site (its identity). They
  moderate the commune's submissions, and translate the commune's pages
  (wagtail-localize's *Traduire*, guarded per page by cms.communes.translation).
- **contributeurs** (one group per commune): add and edit pages (drafts only) and
  submit them for moderation; upload and choose images and documents in the
  commune's collection.
- **animateurs** (one group per territory, see `animateur_group_setup`): what
  communicants may do, translation included, in every commune they cover. Their
  communes' submissions land in one queue, the dashboard's "awaiting your review".
- **platform administrators** are Django superusers: Wagtail bypasses every
  permission check for them, so they need no group.

Every commune's tree goes through the workflow "Modération — <commune>". Its one
GroupApprovalTask is approved by every group that may publish in the commune, so
approvers always follow publish permissions: giving an animateur group a commune
makes it a moderator there, taking the commune away removes it.

Groups, collection and workflow are found through what links them to the commune
(page permissions, collection permissions, the WorkflowPage), not by name, so that
a renamed commune keeps them; their names then follow the commune's. Their page and
collection permissions are defined here: setting roles up again overwrites any change
made to them in the admin's Groups screens (adding users is, of course, kept).
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.db.models import QuerySet
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import CommuneHomePage


class CommuneRole(enum.StrEnum):
    """A role inside one commune; the value ends the group's name."""

    COMMUNICANT = "communicants"
    CONTRIBUTEUR = "contributeurs"


# Without "bulk_delete" only a superuser deletes a commune or a non-empty section
# (wagtail_hooks.py protects the empty sections).
PAGE_ACTIONS: dict[CommuneRole, tuple[str, ...]] = {
    CommuneRole.COMMUNICANT: ("add", "change", "lock", "publish", "unlock"),
    # No "publish": Wagtail then only offers "save draft" and "submit for moderation".
    CommuneRole.CONTRIBUTEUR: ("add", "change"),
}
ANIMATEUR_PAGE_ACTIONS: tuple[str, ...] = ("add", "change", "lock", "publish", "unlock")

COLLECTION_PERMISSIONS: dict[CommuneRole, tuple[str, ...]] = {
    CommuneRole.COMMUNICANT: (
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ),
    # Uploading is allowed: an image is only shown once a page using it is approved.
    CommuneRole.CONTRIBUTEUR: ("add_image", "choose_image", "add_document", "choose_document"),
}
ANIMATEUR_COLLECTION_PERMISSIONS = COLLECTION_PERMISSIONS[CommuneRole.COMMUNICANT]

# Model permissions besides the admin's access; wagtail-localize checks this one
# globally, cms.communes.translation narrows it to the pages the user may edit.
TRANSLATE = ("wagtail_localize", "submit_translation")
ROLE_PERMISSIONS: dict[CommuneRole, tuple[tuple[str, str], ...]] = {
    CommuneRole.COMMUNICANT: (TRANSLATE,),
    CommuneRole.CONTRIBUTEUR: (),
}
ANIMATEUR_PERMISSIONS = (TRANSLATE,)

# Site settings (Wagtail's BaseSiteSetting) that communicants and animateurs edit on their
# communes' sites only, as (app_label, codename): the resident site's identity, for one.
# The apps that own them register them here (`site_setting_register`, in their ready()),
# since this layer does not import them.
SITE_SETTING_PERMISSIONS: list[tuple[str, str]] = []


def site_setting_register(*, app_label: str, codename: str) -> None:
    if (app_label, codename) not in SITE_SETTING_PERMISSIONS:
        SITE_SETTING_PERMISSIONS.append((app_label, codename))


@dataclass(frozen=True, kw_only=True)
class CommuneRoles:
    """What `commune_roles_setup` made for one commune."""

    groups: dict[CommuneRole, Group]
    collection: Collection
    workflow: Workflow
    task: GroupApprovalTask


@transaction.atomic
def commune_roles_setup(*, commune: CommuneHomePage) -> CommuneRoles:
    """Create or update the commune's groups, collection and moderation workflow.

    Idempotent: a second call changes nothing. Covers the commune's page in every
    locale, so its translations are edited and moderated by the same people.
    """
    label = _commune_label(commune=commune)
    pages = _commune_pages(commune=commune)
    groups = {role: _commune_group(commune=commune, role=role, label=label) for role in CommuneRole}
    collection = _commune_collection(communicants=groups[CommuneRole.COMMUNICANT], label=label)
    admin_access = _admin_access_permission()
    for role, group in groups.items():
        group.permissions.add(admin_access, *_permissions(ROLE_PERMISSIONS[role]))
        _page_permissions_set(group=group, pages=pages, actions=PAGE_ACTIONS[role])
        _collection_permissions_set(
            group=group, collections=[collection], codenames=COLLECTION_PERMISSIONS[role]
        )
    _site_permissions_set(group=groups[CommuneRole.COMMUNICANT], communes=[commune])
    workflow, task = _commune_workflow(commune=commune, label=label)
    for page in pages:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    task.groups.set(_commune_publisher_groups(commune=commune))
    return CommuneRoles(groups=groups, collection=collection, workflow=workflow, task=task)


@transaction.atomic
def animateur_group_setup(*, name: str, communes: Iterable[CommuneHomePage]) -> Group:
    """Create or update an animateur group that moderates exactly these communes.

    Communes the group covered before and not in `communes` are taken away from it.
    """
    communes = list(communes)
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(_admin_access_permission(), *_permissions(ANIMATEUR_PERMISSIONS))
    covered_before = list(
        CommuneHomePage.objects.filter(
            group_permissions__group=group, locale=Locale.get_default()
        ).distinct()
    )
    _page_permissions_set(
        group=group,
        pages=[page for commune in communes for page in _commune_pages(commune=commune)],
        actions=ANIMATEUR_PAGE_ACTIONS,
    )
    # Re-running the communes' setup puts the group into (or out of) their approval tasks.
    collections = [commune_roles_setup(commune=commune).collection for commune in communes]
    covered_now = {commune.pk for commune in communes}
    for commune in covered_before:
        if commune.pk not in covered_now:
            commune_roles_setup(commune=commune)
    _collection_permissions_set(
        group=group, collections=collections, codenames=ANIMATEUR_COLLECTION_PERMISSIONS
    )
    _site_permissions_set(group=group, communes=communes)
    return group


def commune_role_group(*, commune: CommuneHomePage, role: CommuneRole) -> Group:
    """Return the commune's group for this role, setting the commune's roles up if needed."""
    group = _commune_group_find(commune=commune, role=role)
    if group is None:
        group = commune_roles_setup(commune=commune).groups[role]
    return group


def user_add_to_role(
    *, user: AbstractBaseUser, commune: CommuneHomePage, role: CommuneRole
) -> Group:
    """Give the user a role in the commune; return the group joined."""
    group = commune_role_group(commune=commune, role=role)
    user.groups.add(group)
    return group


def _commune_label(*, commune: CommuneHomePage) -> str:
    # Group names are unique: homonyms (several Saint-Nazaire) need their INSEE code.
    homonyms = CommuneHomePage.objects.filter(
        title=commune.title, locale_id=commune.locale_id
    ).exclude(pk=commune.pk)
    return f"{commune.title} ({commune.insee_code})" if homonyms.exists() else commune.title


def _commune_pages(*, commune: CommuneHomePage) -> list[Page]:
    return list(Page.objects.filter(translation_key=commune.translation_key).order_by("pk"))


def _commune_group_find(*, commune: CommuneHomePage, role: CommuneRole) -> Group | None:
    return (
        Group.objects.filter(page_permissions__page=commune, name__endswith=f" — {role}")
        .distinct()
        .order_by("pk")
        .first()
    )


def _commune_group(*, commune: CommuneHomePage, role: CommuneRole, label: str) -> Group:
    name = f"{label} — {role}"
    group = _commune_group_find(commune=commune, role=role)
    if group is None:
        group, _created = Group.objects.get_or_create(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    return group


def _commune_collection(*, communicants: Group, label: str) -> Collection:
    collection = (
        Collection.objects.filter(group_permissions__group=communicants).order_by("pk").first()
    )
    if collection is None:
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=label).first() or root.add_child(name=label)
    elif collection.name != label:
        collection.name = label
        collection.save(update_fields=["name"])
    return collection


def _commune_workflow(
    *, commune: CommuneHomePage, label: str
) -> tuple[Workflow, GroupApprovalTask]:
    link = WorkflowPage.objects.filter(page=commune).select_related("workflow").first()
    workflow = link.workflow if link else Workflow.objects.create(name=f"Modération — {label}")
    if workflow.name != f"Modération — {label}":
        workflow.name = f"Modération — {label}"
        workflow.save(update_fields=["name"])
    task = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=f"Approbation — {label}")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    elif task.name != f"Approbation — {label}":
        task.name = f"Approbation — {label}"
        task.save(update_fields=["name"])
    return workflow, task


def _commune_publisher_groups(*, commune: CommuneHomePage) -> QuerySet[Group]:
    return Group.objects.filter(
        page_permissions__page=commune,
        page_permissions__permission=_page_permission(action="publish"),
    ).distinct()


def _page_permissions_set(*, group: Group, pages: Sequence[Page], actions: Sequence[str]) -> None:
    """Make the group's page permissions exactly `actions` on each of `pages`."""
    permissions = list(Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=[f"{a}_page" for a in actions]))
    _rows_set(model=GroupPagePermission, group=group, field="page", targets=pages,
              permissions=permissions)


def _collection_permissions_set(
    *, group: Group, collections: Sequence[Collection], codenames: Sequence[str]
) -> None:
    """Make the group's collection permissions exactly `codenames` on each of `collections`."""
    permissions = list(
        Permission.objects.filter(
            content_type__app_label__in=["wagtailimages", "wagtaildocs"], codename__in=codenames
        )
    )
    _rows_set(model=GroupCollectionPermission, group=group, field="collection",
              targets=collections, permissions=permissions)


def _rows_set(*, model, group: Group, field: str, targets: Sequence, permissions: list) -> None:
    """Make the group's `model` rows exactly targets × permissions: one DELETE of the rows
    that are not wanted, one SELECT and one INSERT of those missing (not one query per
    row: a commune's roles are set up whenever it is created or renamed)."""
    model.objects.filter(group=group).exclude(
        **{f"{field}__in": targets, "permission__in": permissions}).delete()
    existing = set(model.objects.filter(group=group).values_list(f"{field}_id", "permission_id"))
    model.objects.bulk_create(
        [model(group=group, permission=permission, **{field: target})
         for target in targets for permission in permissions
         if (target.pk, permission.pk) not in existing],
        ignore_conflicts=True,  # a concurrent setup of the same roles inserted them first
    )


def _site_permissions_set(*, group: Group, communes: Sequence[CommuneHomePage]) -> None:
    """The registered site settings, on the sites whose root is one of these communes
    (in any locale)."""
    keys = [commune.translation_key for commune in communes]
    sites = list(Site.objects.filter(root_page__translation_key__in=keys).order_by("pk"))
    _rows_set(model=GroupSitePermission, group=group, field="site", targets=sites,
              permissions=_permissions(SITE_SETTING_PERMISSIONS))


def _page_permission(*, action: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page")


def _admin_access_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def _permissions(pairs: Sequence[tuple[str, str]]) -> list[Permission]:
    return [Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in pairs]


def commune_translation_added(*, page: CommuneHomePage) -> None:
    """A commune's home was copied into a new locale: whoever has a role on the commune
    (its groups, the animateurs covering it) has it on the copy too, and the copy goes
    through the commune's workflow: its communicants translate and publish there."""
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return
    source = page.get_translation_or_none(default)
    if source is None:
        return
    for permission in GroupPagePermission.objects.filter(page=source):
        GroupPagePermission.objects.get_or_create(
            group_id=permission.group_id, page=page, permission_id=permission.permission_id)
    link = WorkflowPage.objects.filter(page=source).first()
    if link is not None:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": link.workflow})

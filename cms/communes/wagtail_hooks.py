"""Admin hooks: a commune's structure (home page and sections) belongs to the platform.

commune_upsert creates a commune's home page, its five sections and its Site; the API
and the federation find content through them. Page permissions alone would let a
communicant delete an empty section (change + publish on a leaf page), so only a
platform administrator (a superuser) may delete them.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.models import GroupPagePermission, Page

from .models import CommuneHomePage, PortalPage
from .sections import section_labels

STRUCTURE_MODELS = (PortalPage, CommuneHomePage)


def page_is_structure(*, page: Page) -> bool:
    """Tell whether the page is part of the platform's tree rather than a commune's content."""
    specific_class = page.specific_class
    return specific_class is not None and (
        issubclass(specific_class, STRUCTURE_MODELS)
        or specific_class._meta.label in section_labels())


@hooks.register("before_delete_page")
def structure_delete_refuse(request, page):
    if request.user.is_superuser or not page_is_structure(page=page):
        return None
    messages.error(
        request,
        _(
            "« %(title)s » structure la commune : seul un administrateur "
            "de la plateforme peut la supprimer."
        )
        % {"title": page.title},
    )
    return redirect("wagtailadmin_explore", page.get_parent().pk)


@hooks.register("before_bulk_action")
def structure_bulk_delete_refuse(request, action_type, objects, action_class_instance):
    if action_type != "delete" or request.user.is_superuser:
        return None
    structure = [obj for obj in objects if isinstance(obj, Page) and page_is_structure(page=obj)]
    if not structure:
        return None
    messages.error(
        request,
        _(
            "Ces pages structurent les communes : seul un administrateur de "
            "la plateforme peut les supprimer : %(titles)s."
        )
        % {"titles": ", ".join(page.title for page in structure)},
    )
    return redirect(action_class_instance.next_url)


@hooks.register("construct_page_chooser_queryset")
def chooser_pages_of_own_communes(pages: QuerySet[Page], request) -> QuerySet[Page]:
    """The page chooser (browse and search, links and page fields alike) shows a user
    without superuser rights the pages of the communes they have a role in, and the
    ancestors leading to them; never another commune's pages, drafts included (issue
    24, finding 13). Wagtail's explorer, admin search and reports already keep to the
    user's page permissions; its chooser does not."""
    user = request.user
    if user.is_superuser:
        return pages
    paths = set(GroupPagePermission.objects.filter(group__user=user)
                .values_list("page__path", flat=True))
    if not paths:
        return pages.none()
    step = Page.steplen
    visible = Q(path__in={path[:end] for path in paths for end in range(step, len(path), step)})
    for path in paths:
        visible |= Q(path__startswith=path)
    return pages.filter(visible)


# Admin reports that name pages of every commune, whatever the user may see (Wagtail's
# page types usage shows the last edited page of each type, drafts included): for the
# platform's administrators only. cms/urls.py guards their URLs with `platform_only`.
PLATFORM_ONLY_REPORTS = ("page_types_usage", "page_types_usage_results")
PLATFORM_ONLY_MENU_ITEMS = ("page-types-usage",)


def platform_only(view):
    """A view a superuser may open; anyone else gets 403."""
    from functools import wraps

    from django.core.exceptions import PermissionDenied

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


@hooks.register("construct_reports_menu")
def platform_reports_hide(request, menu_items):
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items
                         if item.name not in PLATFORM_ONLY_MENU_ITEMS]


@hooks.register("register_admin_urls")
def onboarding_urls():
    from django.urls import path

    from .admin_views import onboarding_view
    from .animateur_views import animateurs_view

    return [path("communes/ajouter/", platform_only(onboarding_view),
                 name="clocher_onboarding"),
            path("communes/animateurs/", platform_only(animateurs_view),
                 name="clocher_animateurs"),
            path("communes/animateurs/<int:group_id>/", platform_only(animateurs_view),
                 name="clocher_animateurs_edit")]


@hooks.register("register_settings_menu_item")
def onboarding_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy
    from wagtail.admin.menu import MenuItem

    class PlatformMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.is_superuser

    return PlatformMenuItem(gettext_lazy("Ajouter une commune"), reverse("clocher_onboarding"),
                            icon_name="site", order=50)


@hooks.register("register_settings_menu_item")
def animateurs_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy
    from wagtail.admin.menu import MenuItem

    class PlatformMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.is_superuser

    return PlatformMenuItem(gettext_lazy("Animateurs"), reverse("clocher_animateurs"),
                            icon_name="group", order=51)

"""Translation by those who write (issue 28): a guard on wagtail-localize's views.

wagtail-localize offers *Traduire* to anyone holding its global `submit_translation`
permission, on any page id; communicants and animateurs hold it (roles.py), so its
submit view is narrowed here to the pages the user may edit. The translated copies
are then edited, submitted and published through Wagtail's own page permissions,
which `commune_translation_added` extends to each new locale of a commune.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from wagtail.models import Page

# wagtail-localize's URL names (wagtail_localize/wagtail_hooks.py) that take a page id.
GUARDED_VIEWS = ("submit_page_translation",)


def page_translation_guard(view):
    """The submit view, refused (403) unless the user may edit the page to translate."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        page = get_object_or_404(Page, pk=kwargs.get("page_id"))
        if not page.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def commune_home_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of CommuneHomePage: a new translation of a commune gets its roles."""
    from .roles import commune_translation_added

    if created and not raw:
        commune_translation_added(page=instance)

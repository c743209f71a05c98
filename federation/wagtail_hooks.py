"""Sharing in the Wagtail admin: rules, the review queue, where an item is shared."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from .sharing import urls as sharing_urls


@hooks.register("register_admin_urls")
def register_sharing_urls():
    return [path("partage/", include(sharing_urls, namespace="federation_sharing"))]


class SharingMenuItem(MenuItem):
    def is_shown(self, request):
        from .sharing.selectors import communes_managed_by

        return communes_managed_by(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_sharing_menu_item():
    return SharingMenuItem(_("Partage"), reverse("federation_sharing:index"),
                           icon_name="resubmit", order=250)


def _share_button(page, user):
    from cms.content.kinds import kind_of_model

    if kind_of_model(page.specific_class) is None:
        return None
    return Button(_("Partage"), reverse("federation_sharing:page", args=[page.pk]),
                  icon_name="resubmit", priority=90)


@hooks.register("register_page_header_buttons")
def page_header_share_button(page, user, view_name, next_url=None):
    button = _share_button(page, user)
    if button is not None:
        yield button


@hooks.register("register_page_listing_more_buttons")
def page_listing_share_button(page, user, next_url=None):
    button = _share_button(page, user)
    if button is not None:
        yield button

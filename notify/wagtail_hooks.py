"""Notifications in the Wagtail admin: a report per alert, and the editor's
confirmation before an urgent alert goes to phones (static/notify/admin_confirm.js)."""

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import admin_urls


@hooks.register("register_admin_urls")
def register_notify_urls():
    return [path("notifications/", include(admin_urls, namespace="notify_admin"))]


def _button(page):
    from cms.content.models import AlertPage

    if page.specific_class is not AlertPage or not page.pk:
        return None
    return Button(_("Notifications"), reverse("notify_admin:report", args=[page.pk]),
                  icon_name="mail", priority=91)


@hooks.register("register_page_header_buttons")
def page_header_notify_button(page, user, view_name, next_url=None):
    if (button := _button(page)) is not None:
        yield button


@hooks.register("register_page_listing_more_buttons")
def page_listing_notify_button(page, user, next_url=None):
    if (button := _button(page)) is not None:
        yield button


@hooks.register("insert_editor_js")
def editor_confirm_urgent():
    return format_html('<script src="{}" defer></script>', static("notify/admin_confirm.js"))

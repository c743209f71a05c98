"""Wagtail hooks of the resident site."""

from django.http import Http404
from wagtail import hooks


@hooks.register("before_serve_page")
def withheld_items_are_not_found(page, request, serve_args, serve_kwargs):
    """An item received from another server is public only once a commune here shows
    it (cms/readmodel/audience.py): until then its own URL is not found."""
    from cms.readmodel.audience import key_remote_shown

    if getattr(page, "origin_server", "") and not key_remote_shown(
            translation_key=page.translation_key):
        raise Http404


@hooks.register("register_admin_urls")
def moderation_queue_urls():
    from django.urls import path

    from .moderation import moderation_queue_view

    return [path("moderation/", moderation_queue_view, name="clocher_moderation_queue")]


@hooks.register("register_admin_menu_item")
def moderation_queue_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    return MenuItem(_("File de modération"), reverse("clocher_moderation_queue"),
                    icon_name="tasks", order=150)

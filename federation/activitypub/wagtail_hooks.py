"""Admin: blocked domains, the dead-letter list with a retry button (superusers), and each
commune's subscriptions to other servers (admin_views.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet

from federation.models import BlockedDomain, Delivery, DeliveryState

from . import admin_views
from .delivery import delivery_retry


class BlockedDomainViewSet(ModelViewSet):
    model = BlockedDomain
    icon = "cross"
    menu_label = _("Domaines bloqués")
    add_to_settings_menu = True
    panels = [FieldPanel("domain"), FieldPanel("reason")]
    list_display = ["domain", "reason", "created_at"]
    search_fields = ["domain"]


def _superuser(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


def dead_letters(request):
    _superuser(request)
    deliveries = (Delivery.objects.filter(state=DeliveryState.DEAD)
                  .select_related("activity").order_by("-state_changed_at")[:200])
    return TemplateResponse(request, "federation/activitypub/dead_letters.html",
                            {"deliveries": deliveries})


@require_POST
def dead_letter_retry(request, delivery_id: int):
    _superuser(request)
    delivery = get_object_or_404(Delivery, pk=delivery_id, state=DeliveryState.DEAD)
    delivery_retry(delivery=delivery)
    messages.success(request, _("Livraison remise en file d'attente."))
    return redirect("federation_dead_letters")


@hooks.register("register_admin_urls")
def register_activitypub_admin_urls():
    return [
        path("federation/dead-letters/", dead_letters, name="federation_dead_letters"),
        path("federation/dead-letters/<id:delivery_id>/retry/", dead_letter_retry,
             name="federation_dead_letter_retry"),
        path("partage/<id:commune_id>/serveurs/", admin_views.follows,
             name="federation_ap_follows"),
        path("partage/<id:commune_id>/serveurs/ne-plus-suivre/", admin_views.unfollow,
             name="federation_ap_unfollow"),
        path("partage/<id:commune_id>/serveurs/cle/", admin_views.key_rotate,
             name="federation_ap_key_rotate"),
    ]


@hooks.register("register_settings_menu_item")
def register_dead_letter_menu_item():
    class SuperuserMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.is_superuser

    return SuperuserMenuItem(_("Lettres mortes (ActivityPub)"),
                             reverse("federation_dead_letters"), icon_name="warning")


@hooks.register("register_admin_viewset")
def register_blocked_domain_viewset():
    return BlockedDomainViewSet("federation_blocked_domains")


def _received_over_activitypub(page) -> bool:
    specific = page.specific_deferred
    if getattr(specific, "origin_server", ""):
        return True
    from cms.communes.models import CommuneHomePage

    return CommuneHomePage.objects.ancestor_of(page, inclusive=True).exclude(
        origin_server="").exists()


def _read_only(request, page):
    if _received_over_activitypub(page):
        messages.error(request, _("Ce contenu vient d'un autre serveur : seule son origine "
                                  "peut le modifier."))
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_edit_page")
def mirrored_pages_are_read_only(request, page):
    return _read_only(request, page)


@hooks.register("before_delete_page")
def mirrored_pages_cannot_be_deleted(request, page):
    return _read_only(request, page)


@hooks.register("before_create_page")
def nothing_is_created_under_a_mirror(request, parent_page, page_class):
    return _read_only(request, parent_page)

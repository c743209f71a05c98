"""Admin views of sharing: permission checks, forms, and calls into services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Locale, Page

from cms.communes.models import CommuneHomePage
from federation.models import SharedItem, SharingPolicy

from . import selectors, services
from .forms import AcceptanceRuleFormSet, QueueFilterForm, ShareDecisionForm, SharingPolicyForm

MAX_ID = 2**63 - 1


def managed_commune(request: HttpRequest, commune_id: int) -> CommuneHomePage:
    """The commune, if the user decides its sharing; 404 when it does not exist."""
    if commune_id > MAX_ID:
        raise Http404
    commune = get_object_or_404(CommuneHomePage, pk=commune_id)
    if not selectors.communes_managed_by(user=request.user).filter(pk=commune.pk).exists():
        raise PermissionDenied
    return commune


def index(request: HttpRequest) -> HttpResponse:
    communes = list(selectors.communes_managed_by(user=request.user))
    if not communes:
        raise PermissionDenied
    if len(communes) == 1:
        return redirect("federation_sharing:queue", commune_id=communes[0].pk)
    return TemplateResponse(request, "federation/sharing/index.html", {"communes": communes})


@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    policy = SharingPolicy.objects.filter(commune=commune).first() or SharingPolicy(
        commune=commune)
    data = request.POST if request.method == "POST" else None
    form = SharingPolicyForm(data, instance=policy, commune=commune, prefix="policy")
    formset = AcceptanceRuleFormSet(data, instance=commune, prefix="rules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            services.sharing_policy_save(
                policy=form.save(commit=False), categories=form.cleaned_data["categories"],
                named_communes=form.cleaned_data["named_communes"], user=request.user)
            formset.save()
            services.acceptance_rules_apply(receiver=commune)
        messages.success(request, _("Règles de partage enregistrées."))
        return redirect("federation_sharing:rules", commune_id=commune.pk)
    if request.method == "POST":
        messages.error(request, _("Les règles n'ont pas été enregistrées : corrigez les erreurs."))
    return TemplateResponse(request, "federation/sharing/rules.html", {
        "commune": commune, "form": form, "formset": formset,
        "audience": (selectors.sharing_audience(policy=policy) if policy.pk else []),
    }, status=400 if request.method == "POST" else 200)


def queue(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    filters = QueueFilterForm(request.GET)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    shares = selectors.incoming_shares(receiver=commune, state=state or None)[:200]
    return TemplateResponse(request, "federation/sharing/queue.html", {
        "commune": commune, "shares": shares, "filters": filters, "state": state,
        "communes": selectors.communes_managed_by(user=request.user),
    })


@require_POST
def decide(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    form = ShareDecisionForm(request.POST)
    back = reverse("federation_sharing:queue", kwargs={"commune_id": commune.pk})
    if not form.is_valid():
        messages.error(request, _("Décision invalide."))
        return redirect(back)
    share = SharedItem.objects.filter(pk=form.cleaned_data["share"], receiver=commune).first()
    if share is None:
        # Another commune's item, or one withdrawn by its origin meanwhile.
        raise Http404
    try:
        services.share_decide(share=share, action=form.cleaned_data["action"],
                              user=request.user)
    except services.ShareTransitionError:
        messages.error(request, _("Cette décision n'est pas possible pour ce contenu."))
    else:
        messages.success(request, _("Décision enregistrée."))
    return redirect(back)


def outgoing(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    return TemplateResponse(request, "federation/sharing/outgoing.html", {
        "commune": commune, "items": selectors.outgoing_shares(origin=commune),
    })


def page_report(request: HttpRequest, page_id: int) -> HttpResponse:
    """Where one item is shared and in what state: for its commune's communicators."""
    if page_id > MAX_ID:
        raise Http404
    page = get_object_or_404(Page, pk=page_id)
    commune = CommuneHomePage.objects.ancestor_of(page).first()
    if commune is None:
        raise Http404
    source = commune.get_translation_or_none(Locale.get_default()) or commune
    managed_commune(request, source.pk)
    return TemplateResponse(request, "federation/sharing/page.html", {
        "page": page, "commune": source, "shares": selectors.page_shares(page=page),
    })

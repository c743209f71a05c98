"""The onboarding screen of the admin (platform administrators only): find a commune in
the official data, see its EPCI and neighbours here, create it, invite its communicant.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import sources
from .onboarding import (
    commune_onboard,
    communicant_invite,
    official_commune_search,
    onboarding_candidate,
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Nom, code postal ou code INSEE"), max_length=100,
                        required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Courriel du communicant"), max_length=254)


def onboarding_view(request):
    """GET ?q= searches, ?insee= shows one commune; POST creates it or invites."""
    insee = (request.POST.get("insee") or request.GET.get("insee") or "").strip().upper()
    # Bound only when searched: ?insee= alone shows a commune, not "nothing found".
    search = SearchForm(request.GET if "q" in request.GET else None)
    invite = InviteForm(request.POST if request.POST.get("action") == "invite" else None)
    status = 200
    if request.method == "POST" and sources.INSEE_CODE.fullmatch(insee):
        target = f"{reverse('clocher_onboarding')}?insee={insee}"
        if request.POST.get("action") == "create":
            try:
                commune = commune_onboard(insee_code=insee)
            except (ValueError, sources.SourceError) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("%(name)s est créée : pages, site, rôles et "
                                            "modération.") % {"name": commune.title})
            return redirect(target)
        if request.POST.get("action") == "invite":
            candidate = onboarding_candidate(insee_code=insee)
            if candidate is not None and candidate.existing is not None and invite.is_valid():
                communicant_invite(commune=candidate.existing,
                                   email=invite.cleaned_data["email"], invited_by=request.user)
                messages.success(request, _("Invitation envoyée à %(email)s.") % {
                    "email": invite.cleaned_data["email"]})
                return redirect(target)
            status = 400
    elif request.method == "POST":
        status = 400
    results = []
    if search.is_bound and search.is_valid():
        try:
            results = official_commune_search(text=search.cleaned_data["q"])
        except sources.SourceError as error:
            messages.error(request, str(error))
    candidate = None
    if sources.INSEE_CODE.fullmatch(insee):
        try:
            candidate = onboarding_candidate(insee_code=insee)
        except sources.SourceError as error:
            messages.error(request, str(error))
    return TemplateResponse(request, "communes/admin/onboarding.html", {
        "lookup": search, "results": results, "candidate": candidate, "invite": invite,
        "header_title": _("Ajouter une commune"),
    }, status=status)

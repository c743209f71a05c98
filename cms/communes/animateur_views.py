"""Animateurs' territories in the admin (platform administrators only): which communes
each animateur group covers, and giving it new ones (roles.animateur_group_setup)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Group
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import animateur_group_setup
from .selectors import animateur_groups, commune_list


class CoverageForm(forms.Form):
    name = forms.CharField(label=_("Nom du groupe"), max_length=150)
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes couvertes"), queryset=commune_list(live_only=False),
        widget=forms.CheckboxSelectMultiple, required=False)


def animateurs_view(request, group_id: int | None = None):
    """GET lists the groups; /<id>/ edits one's communes; /nouveau/ creates one."""
    group = get_object_or_404(Group, pk=group_id) if group_id is not None else None
    groups = animateur_groups()
    covered = dict((g.pk, communes) for g, communes in groups)
    if group is not None and group.pk not in covered:
        raise Http404  # a commune's own role group is set up with the commune
    initial = ({"name": group.name, "communes": covered.get(group.pk, [])}
               if group is not None else None)
    form = CoverageForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            name = form.cleaned_data["name"]
            if group is not None and group.name != name:
                group.name = name
                group.save(update_fields=["name"])
            saved = animateur_group_setup(name=name, communes=form.cleaned_data["communes"])
            messages.success(request, _("%(name)s couvre %(count)s commune(s).") % {
                "name": saved.name, "count": len(form.cleaned_data["communes"])})
            return redirect(reverse("clocher_animateurs"))
        status = 400
    return TemplateResponse(request, "communes/admin/animateurs.html", {
        "groups": groups, "form": form, "group": group,
        "header_title": _("Animateurs et leurs communes"),
    }, status=status)

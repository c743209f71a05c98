"""Subscription forms: every field validated; bad input is a form error, never a 500."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_list, commune_neighbour_summaries
from cms.content.models import Category
from cms.core.locales import default_locale

from .channels.endpoints import endpoint_problem
from .models import AlertChoice, DigestFrequency
from .services import Choices

# French mobiles (06, 07), written as residents do: spaces, dots, dashes, +33 or 0033.
MOBILE = re.compile(r"(?:\+33|0033|0)([67]\d{8})")
SEPARATORS = re.compile(r"[\s.\-()]")
MAX_COMMUNES = 30


def mobile_normalise(value: str) -> str | None:
    """A French mobile number in E.164 (+336…), None when it is not one."""
    match = MOBILE.fullmatch(SEPARATORS.sub("", value or ""))
    return f"+33{match.group(1)}" if match else None


def commune_choices(commune: CommuneHomePage | None) -> list[tuple[str, str]]:
    """The commune and its neighbours first (what residents pick), nearest first."""
    if commune is None:
        return []
    neighbours = commune_neighbour_summaries(commune=commune)
    return [(commune.insee_code, commune.title),
            *((n.commune.insee_code, n.commune.title) for n in neighbours)]


class ChoicesForm(forms.Form):
    """What and where (shared by signing up and managing)."""

    communes = forms.MultipleChoiceField(
        label=_("Communes"), widget=forms.CheckboxSelectMultiple,
        help_text=_("Votre commune et ses voisines."))
    alerts = forms.ChoiceField(label=_("Alertes"), choices=AlertChoice.choices,
                               widget=forms.RadioSelect, initial=AlertChoice.URGENT)
    news = forms.BooleanField(label=_("Les actualités"), required=False)
    events = forms.BooleanField(label=_("Les événements"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Seulement ces thèmes (facultatif)"), required=False,
        widget=forms.CheckboxSelectMultiple)
    digest = forms.ChoiceField(label=_("Résumé par e-mail"), choices=DigestFrequency.choices,
                               widget=forms.RadioSelect, initial=DigestFrequency.DAILY,
                               help_text=_("Les alertes urgentes arrivent tout de suite."))

    def __init__(self, *args, commune: CommuneHomePage | None = None,
                 extra_communes: list[CommuneHomePage] = (), **kwargs):
        super().__init__(*args, **kwargs)
        choices = dict(commune_choices(commune))
        for other in extra_communes:
            choices.setdefault(other.insee_code, other.title)
        self.fields["communes"].choices = list(choices.items())
        if commune is not None and not self.is_bound and "communes" not in self.initial:
            self.initial["communes"] = list(choices)
        self.fields["categories"].choices = list(
            Category.objects.filter(locale=default_locale()).values_list("slug", "name"))

    def clean_communes(self) -> list[CommuneHomePage]:
        codes = self.cleaned_data["communes"]
        if len(codes) > MAX_COMMUNES:
            raise forms.ValidationError(_("Trente communes au plus."))
        communes = list(commune_list().filter(insee_code__in=codes))
        if not communes:
            raise forms.ValidationError(_("Choisissez au moins une commune."))
        return communes

    def choices(self, *, language: str) -> Choices:
        data = self.cleaned_data
        return Choices(communes=data["communes"], alerts=data["alerts"], news=data["news"],
                       events=data["events"], categories=data["categories"],
                       digest=data["digest"], language=language)


class SubscribeForm(ChoicesForm):
    email = forms.EmailField(label=_("Votre adresse e-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    field_order = ["email", "communes", "alerts", "news", "events", "categories", "digest"]


class PushSubscriptionForm(forms.Form):
    """A browser's PushSubscription (its toJSON()), checked before it is stored."""

    endpoint = forms.URLField(max_length=1000, assume_scheme="https")
    p256dh = forms.RegexField(regex=r"^[A-Za-z0-9_-]{80,100}={0,2}$")
    auth = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,30}={0,2}$")

    def clean_endpoint(self) -> str:
        endpoint = self.cleaned_data["endpoint"]
        problem = endpoint_problem(endpoint)
        if problem:
            raise forms.ValidationError(problem)
        return endpoint


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Numéro de mobile"), max_length=30,
                            help_text=_("Pour les alertes urgentes seulement. Un code de "
                                        "confirmation vous sera envoyé."))

    def clean_phone(self) -> str:
        phone = mobile_normalise(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Un numéro de mobile français (06 ou 07)."))
        return phone


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(label=_("Code reçu par SMS"), regex=r"^\s*\d{6}\s*$",
                            max_length=12)

"""Admin forms of sharing: validation only; saving goes through services."""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from cms.communes.models import CommuneHomePage
from cms.content.models import Category
from federation.models import AcceptanceRule, ShareState, SharingPolicy
from federation.models.sharing import KIND_CHOICES, ShareAction

MAX_ID = 2**63 - 1


def _check_ids(field: forms.Field, values) -> None:
    """Refuse ids no database column holds before they reach a query (SQLite raises
    OverflowError, which Django's model choice fields do not catch)."""
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or int(text) > MAX_ID:
            raise forms.ValidationError(field.error_messages["invalid_choice"],
                                        code="invalid_choice", params={"value": text[:40]})


class IdModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            _check_ids(self, [value])
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        **forms.ModelMultipleChoiceField.default_error_messages,
        "invalid_choice": _("Choix invalide : %(value)s."),
    }

    def _check_values(self, value):
        _check_ids(self, value)
        return super()._check_values(value)


def _local_communes():
    from cms.communes.selectors import commune_list

    return commune_list()


class SharingPolicyForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Contenus partagés"), choices=KIND_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun : la commune ne partage rien."))
    categories = IdModelMultipleChoiceField(
        label=_("Seulement ces catégories"), queryset=Category.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Aucune : toutes les catégories."))
    named_communes = IdModelMultipleChoiceField(
        label=_("Communes choisies"), queryset=CommuneHomePage.objects.none(), required=False)

    class Meta:
        model = SharingPolicy
        fields = ["kinds", "categories", "radius_km", "share_with_epci", "share_with_department",
                  "named_communes", "default_acceptance"]

    def __init__(self, *args, commune: CommuneHomePage, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.commune = commune
        self.fields["categories"].queryset = Category.objects.filter(
            locale=Locale.get_default()).order_by("name")
        self.fields["named_communes"].queryset = _local_communes().exclude(pk=commune.pk)
        self.fields["radius_km"].widget.attrs.update(min=0, max=100, step="0.5")


class AcceptanceRuleForm(forms.ModelForm):
    class Meta:
        model = AcceptanceRule
        fields = ["source_commune", "source_server", "kind", "decision"]
        field_classes = {"source_commune": IdModelChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_commune"].queryset = _local_communes()

    def clean_source_server(self) -> str:
        value = self.cleaned_data["source_server"].strip().lower()
        if value and ("/" in value or " " in value or len(value) > 253):
            raise forms.ValidationError(_("Un nom d'hôte, sans https:// ni chemin."))
        return value


class BaseAcceptanceRuleFormSet(BaseInlineFormSet):
    def save_new(self, form, commit=True):
        form.instance.receiver = self.instance
        return super().save_new(form, commit=commit)


AcceptanceRuleFormSet = inlineformset_factory(
    CommuneHomePage, AcceptanceRule, form=AcceptanceRuleForm, formset=BaseAcceptanceRuleFormSet,
    fk_name="receiver", extra=1, can_delete=True, max_num=50, validate_max=True)


class ShareDecisionForm(forms.Form):
    share = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    action = forms.ChoiceField(choices=ShareAction.choices)


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", _("tous")), *ShareState.choices], required=False)

"""Forms of the resident site: every field validated, nothing raises past the view."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from cms.content.models import DirectoryKind

from .models import Contribution

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Je propose"), choices=Contribution.Kind.choices,
                             widget=forms.RadioSelect, initial=Contribution.Kind.EVENT)
    title = forms.CharField(label=_("Titre"), max_length=200)
    text = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("2 000 caractères au plus."))
    start = forms.DateTimeField(label=_("Début (événement)"), required=False,
                                input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput())
    end = forms.DateTimeField(label=_("Fin (événement, facultatif)"), required=False,
                              input_formats=DATETIME_FORMATS, widget=DateTimeLocalInput())
    venue_name = forms.CharField(label=_("Lieu (événement)"), max_length=200, required=False)
    organiser = forms.CharField(
        label=_("Organisateur affiché (événement, facultatif)"), max_length=200,
        required=False,
        help_text=_("Par exemple le nom d'une association. Laissé vide, aucun organisateur "
                    "n'est affiché : votre nom n'est jamais publié."))
    address = forms.CharField(label=_("Adresse"), max_length=255, required=False)
    directory_kind = forms.ChoiceField(
        label=_("Type de fiche (annuaire)"), required=False,
        choices=[("", "—")] + list(DirectoryKind.choices))
    phone = forms.CharField(label=_("Téléphone (annuaire)"), max_length=30, required=False)
    website = forms.URLField(label=_("Site web (facultatif)"), required=False, max_length=200,
                             assume_scheme="https")
    image = WagtailImageField(label=_("Image (facultative)"), required=False)
    image_alt = forms.CharField(
        label=_("Description de l'image"), max_length=250, required=False,
        help_text=_("Pour les personnes qui ne voient pas l'image. Obligatoire avec une image."))
    name = forms.CharField(label=_("Votre nom"), max_length=120,
                           help_text=_("Pour l'équipe de la commune ; il n'est pas publié."),
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Votre courriel"), max_length=254,
        help_text=_("Pour vous dire quand votre proposition est publiée ou refusée ; "
                    "il n'est pas publié."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    consent = forms.BooleanField(
        label=_("J'accepte que la mairie publie ce contenu après relecture."))
    # Honeypot: hidden from people (CSS and aria-hidden), filled by naive bots.
    nickname = forms.CharField(required=False, label=_("Ne pas remplir ce champ"),
                               widget=forms.TextInput(attrs={"autocomplete": "off",
                                                             "tabindex": "-1"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        image = self.fields["image"]
        image.max_upload_size = settings.CLOCHER_CONTRIBUTION_MAX_IMAGE_BYTES
        image.max_upload_size_text = filesizeformat(image.max_upload_size)
        image.help_text = _("JPEG, PNG, GIF ou WebP, %(size)s au plus. Si le formulaire est "
                            "réaffiché, choisissez-la de nouveau.") % {
            "size": image.max_upload_size_text}
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{name}_help")

    def flag_errors(self) -> None:
        """Point each invalid field at its message (aria-invalid, aria-describedby)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = [f"id_{name}_error"]
                if self.fields[name].help_text:
                    described.append(f"id_{name}_help")
                attrs["aria-describedby"] = " ".join(described)

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("nickname"))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Contribution.Kind.EVENT:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Indiquez la date et l'heure de début."))
            if start and end and end < start:
                self.add_error("end", _("La fin doit suivre le début."))
            if start and not (1900 < start.year < 3000):
                self.add_error("start", _("Date invalide."))
            if end and not (1900 < end.year < 3000):
                self.add_error("end", _("Date invalide."))
        if kind == Contribution.Kind.DIRECTORY and not data.get("directory_kind"):
            self.add_error("directory_kind", _("Choisissez le type de fiche."))
        if data.get("image") and not data.get("image_alt"):
            self.add_error("image_alt", _("Décrivez l'image en quelques mots."))
        return data


class SuggestForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)

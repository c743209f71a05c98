import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.search import index

from cms.communes.validators import validate_coordinates_pair

from ..blocks import BaseStreamBlock
from .base import CommuneContentPage, coordinate_fields

# Metropolitan France and the overseas communes' zones.
TIME_ZONES = [
    ("Europe/Paris", "Europe/Paris"),
    ("America/Guadeloupe", "Guadeloupe"),
    ("America/Martinique", "Martinique"),
    ("America/Cayenne", "Guyane"),
    ("Indian/Reunion", "La Réunion"),
    ("Indian/Mayotte", "Mayotte"),
    ("America/Miquelon", "Saint-Pierre-et-Miquelon"),
    ("Pacific/Noumea", "Nouvelle-Calédonie"),
    ("Pacific/Tahiti", "Polynésie française"),
]


class EventPageForm(WagtailAdminPageForm):
    """Show and read start and end as wall-clock times in the event's own time zone.

    Django would use the admin's zone (Europe/Paris) for both; an event in
    La Réunion is typed, and shown, in Réunion time.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = zoneinfo.ZoneInfo(self.instance.time_zone or "Europe/Paris")
        for name in ("start", "end"):
            value = getattr(self.instance, name, None)
            if value is not None:
                self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        cleaned_data = super().clean()
        zone = zoneinfo.ZoneInfo(cleaned_data.get("time_zone") or "Europe/Paris")
        typing_zone = timezone.get_current_timezone()
        for name in ("start", "end"):
            value = cleaned_data.get(name)
            if value is not None:
                wall_clock = value.astimezone(typing_zone).replace(tzinfo=None)
                cleaned_data[name] = wall_clock.replace(tzinfo=zone)
        return cleaned_data


class EventPage(CommuneContentPage):
    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"), null=True, blank=True)
    time_zone = models.CharField(_("fuseau horaire"), max_length=40, choices=TIME_ZONES,
                                 default="Europe/Paris")
    all_day = models.BooleanField(_("toute la journée"), default=False)
    summary = models.TextField(_("résumé"), max_length=600, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("image"),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("description"))
    venue_name = models.CharField(_("lieu"), max_length=200, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    latitude, longitude = coordinate_fields()
    organiser = models.CharField(_("organisateur"), max_length=200, blank=True)
    is_free = models.BooleanField(_("gratuit"), default=False)
    price = models.CharField(_("tarif"), max_length=200, blank=True,
                             help_text=_("Ex. « 5 €, gratuit pour les moins de 12 ans »."))
    registration_url = models.URLField(_("lien d'inscription"), blank=True)
    accessibility = models.TextField(_("accessibilité"), blank=True,
                                     help_text=_("Accès PMR, boucle magnétique, etc."))

    base_form_class = EventPageForm
    content_panels = [
        *CommuneContentPage.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldRowPanel([FieldPanel("all_day"), FieldPanel("time_zone")]),
            ],
            heading=_("Date"),
        ),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("venue_name"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("accessibility"),
            ],
            heading=_("Lieu"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("organiser"),
                FieldRowPanel([FieldPanel("is_free"), FieldPanel("price")]),
                FieldPanel("registration_url"),
            ],
            heading=_("Organisation"),
        ),
        FieldPanel("categories"),
    ]
    search_fields = [
        *CommuneContentPage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("venue_name"),
        index.SearchField("organiser"),
        index.FilterField("start"),
        index.FilterField("end"),
        index.RelatedFields("categories", [index.SearchField("name")]),
    ]
    api_fields = [
        APIField("start"),
        APIField("end"),
        APIField("time_zone"),
        APIField("all_day"),
        APIField("summary"),
        APIField("body"),
        APIField("image"),
        APIField("image_thumbnail", serializer=ImageRenditionField("fill-400x300", source="image")),
        APIField("venue_name"),
        APIField("address"),
        APIField("latitude"),
        APIField("longitude"),
        APIField("organiser"),
        APIField("is_free"),
        APIField("price"),
        APIField("registration_url"),
        APIField("accessibility"),
        APIField("category_slugs"),
        APIField("commune_insee_code"),
    ]
    parent_page_types = ["content.EventIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def clean(self) -> None:
        super().clean()
        validate_coordinates_pair(self.latitude, self.longitude)
        if self.start and self.all_day:
            self._span_whole_days()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("La fin de l'événement précède son début.")})
        if self.is_free and self.price:
            raise ValidationError({"price": _("Un événement gratuit n'a pas de tarif.")})

    def _span_whole_days(self) -> None:
        zone = zoneinfo.ZoneInfo(self.time_zone)
        first_day = self.start.astimezone(zone).date()
        last_day = self.end.astimezone(zone).date() if self.end else first_day
        self.start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
        self.end = dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=zone)

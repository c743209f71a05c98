import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from cms.communes.validators import validate_coordinates_pair
from cms.core.sanitise import HTML, PLAIN

from .. import representation
from ..blocks import BaseStreamBlock
from ..forms import CommuneContentPageForm
from ..kinds import ContentKind, kind_register
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


class EventPageForm(CommuneContentPageForm):
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
    # The organiser's public contact (an association's address, a box office number):
    # shown on the event page, never filled from a resident's proposal.
    organiser_email = models.EmailField(_("e-mail de l'organisateur"), blank=True)
    organiser_phone = models.CharField(
        _("téléphone de l'organisateur"), max_length=30, blank=True,
        validators=[RegexValidator(r"^\+?[0-9][0-9 .\-]{5,28}$",
                                   _("Un numéro de téléphone, ex. « 02 40 45 00 00 ».")),
                    ])
    is_free = models.BooleanField(_("gratuit"), default=False)
    price = models.CharField(_("tarif"), max_length=200, blank=True,
                             help_text=_("Ex. « 5 €, gratuit pour les moins de 12 ans »."))
    registration_url = models.URLField(_("lien d'inscription"), blank=True)
    accessibility = models.TextField(_("accessibilité"), blank=True,
                                     help_text=_("Accès PMR, boucle magnétique, etc."))

    base_form_class = EventPageForm
    # A phone number is the same in every language (e-mail and URL fields already are).
    override_translatable_fields = [SynchronizedField("organiser_phone")]
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
                FieldRowPanel([FieldPanel("organiser_email"), FieldPanel("organiser_phone")]),
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
        APIField("organiser_email"),
        APIField("organiser_phone"),
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


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone or "Europe/Paris"))


def _french_time(moment: dt.datetime) -> str:
    return f"{moment.hour}h{moment.minute:02d}"


def _french_date(moment: dt.datetime) -> str:
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{WEEKDAYS[moment.weekday()]} {day} {MONTHS[moment.month - 1]} {moment.year}"


def event_summary(page: EventPage) -> str:
    """One line Mastodon readers understand: date, time, place, then the summary."""
    start = _local(page.start, page.time_zone)
    end = _local(page.end, page.time_zone) if page.end else None
    if page.all_day:
        when = _french_date(start)
        if end and end.date() != start.date():
            when = f"du {_french_date(start)} au {_french_date(end)}"
    elif end and end.date() != start.date():
        when = f"du {_french_date(start)} à {_french_time(start)} " \
               f"au {_french_date(end)} à {_french_time(end)}"
    elif end:
        when = f"{_french_date(start)}, {_french_time(start)} – {_french_time(end)}"
    else:
        when = f"{_french_date(start)}, {_french_time(start)}"
    when = when[0].upper() + when[1:]
    place = ", ".join(part for part in (page.venue_name, page.address) if part)
    commune = page.commune.title if page.commune else ""
    if commune and commune not in place:
        place = f"{place}, {commune}" if place else commune
    parts = [when]
    if place:
        parts.append(place)
    text = " · ".join(parts)
    if page.summary:
        text += f" — {page.summary}"
    return text


def _event_api_fields(page: EventPage) -> dict:
    return {
        "summary": page.summary, "start": representation.iso(page.start, page.time_zone),
        "end": representation.iso(page.end, page.time_zone),
        "time_zone": page.time_zone, "all_day": page.all_day,
        "image": representation.image(page.image), "body": representation.stream(page.body),
        "venue_name": page.venue_name, "address": page.address,
        "organiser": page.organiser, "organiser_email": page.organiser_email,
        "organiser_phone": page.organiser_phone, "is_free": page.is_free, "price": page.price,
        "registration_url": page.registration_url, "accessibility": page.accessibility,
    }


def _event_to_ap(page: EventPage) -> dict:
    """An Event Mobilizon and Mastodon read (FEP-8a8e)."""
    commune = page.commune
    return {
        "summary": event_summary(page),
        "content": str(page.body or "") or representation.html_paragraph(page.summary),
        "startTime": page.start.isoformat(),
        "endTime": page.end.isoformat() if page.end else None,
        "timezone": page.time_zone,
        "joinMode": "external" if page.registration_url else "free",
        "externalParticipationUrl": page.registration_url or None,
        "anonymousParticipationEnabled": False,
        "commentsEnabled": False,
        "category": "MEETING",
        "isOnline": False,
        "location": {
            "type": "Place",
            "name": page.venue_name or (commune.title if commune else ""),
            "address": {"type": "PostalAddress", "streetAddress": page.address,
                        "addressLocality": commune.title if commune else "",
                        "addressCountry": "FR"},
            # Unknown coordinates are left out: clients read null as (0, 0).
            **({"latitude": page.latitude, "longitude": page.longitude}
               if page.latitude is not None and page.longitude is not None else {}),
        },
    }


def _event_from_ap(page: EventPage, obj) -> None:
    page.start = obj.start_time or obj.published or timezone.now()
    page.end = obj.end_time if obj.end_time and obj.end_time >= page.start else None
    page.time_zone = obj.timezone if obj.timezone in {zone for zone, _label in TIME_ZONES} \
        else "Europe/Paris"
    page.summary = obj.summary[:600]
    page.body = [("paragraph", obj.content)] if obj.content else []
    if obj.location:
        page.venue_name = obj.location.name[:200]
        page.address = obj.location.address[:255]
        page.latitude, page.longitude = obj.location.latitude, obj.location.longitude


kind_register(ContentKind(
    position=20,
    name="event", model=EventPage, section="content.EventIndexPage",
    label=_("événement"), plural=_("événements"), api_path="events",
    api_fields=_event_api_fields,
    # An open-ended event ends when it starts: "upcoming" is one comparison.
    dates=lambda page: (page.start, page.end or page.start, None),
    jsonld_type="Event",
    ap_type="Event", ap_accepts=("Event",),
    to_ap=_event_to_ap, from_ap=_event_from_ap,
    search_text=("body", "venue_name", "address", "organiser", "price"),
    detail_only=frozenset({"body"}),
    api_ordering=("start",), api_filters=("dated",),
    section_title=_("agenda"),
    text_fields={"summary": PLAIN, "body": HTML, "venue_name": PLAIN, "address": PLAIN,
                 "organiser": PLAIN, "organiser_email": PLAIN, "organiser_phone": PLAIN,
                 "price": PLAIN, "registration_url": PLAIN,
                 "accessibility": PLAIN},
))

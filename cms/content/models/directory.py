from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.blocks import StreamBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.search import index

from cms.communes.validators import validate_coordinates_pair
from cms.core import sanitise
from cms.core.sanitise import HTML, PLAIN

from .. import representation
from ..blocks import MarketDayBlock, OpeningHoursBlock, PickupPointBlock, ProductBlock
from ..kinds import ContentKind, kind_register
from .base import CommuneContentPage, coordinate_fields


class DirectoryKind(models.TextChoices):
    ASSOCIATION = "association", _("association")
    SHOP = "shop", _("commerce")
    PRODUCER = "producer", _("producteur")
    PUBLIC_SERVICE = "public_service", _("service public")


class DirectoryEntryPage(CommuneContentPage):
    kind = models.CharField(_("type"), max_length=20, choices=DirectoryKind.choices, db_index=True)
    description = RichTextField(_("description"), blank=True,
                                features=["bold", "italic", "link", "ul", "ol"])
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("image"),
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    latitude, longitude = coordinate_fields()
    opening_hours = StreamField(
        StreamBlock([("slot", OpeningHoursBlock())], required=False),
        blank=True, verbose_name=_("horaires d'ouverture"),
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    # Short supply chains ("circuits courts"): producers only.
    products = StreamField(
        StreamBlock([("product", ProductBlock())], required=False),
        blank=True, verbose_name=_("produits et saisons"),
    )
    market_days = StreamField(
        StreamBlock([("market", MarketDayBlock())], required=False),
        blank=True, verbose_name=_("jours de marché"),
    )
    pickup_points = StreamField(
        StreamBlock([("pickup_point", PickupPointBlock())], required=False),
        blank=True, verbose_name=_("points de retrait"),
    )

    content_panels = [
        *CommuneContentPage.content_panels,
        FieldPanel("kind"),
        FieldPanel("description"),
        FieldPanel("image"),
        MultiFieldPanel(
            [FieldPanel("address"),
             FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")])],
            heading=_("Adresse"),
        ),
        FieldPanel("opening_hours"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("website")],
            heading=_("Contact"),
        ),
        FieldPanel("categories"),
    ]
    producer_panels = [
        FieldPanel("products"),
        FieldPanel("market_days"),
        FieldPanel("pickup_points"),
    ]
    edit_handler = TabbedInterface([
        ObjectList(content_panels, heading=_("Contenu")),
        ObjectList(producer_panels, heading=_("Circuits courts")),
        ObjectList(CommuneContentPage.promote_panels, heading=_("Promotion")),
        ObjectList(CommuneContentPage.settings_panels, heading=_("Paramètres")),
    ])
    search_fields = [
        *CommuneContentPage.search_fields,
        index.SearchField("description"),
        index.SearchField("products"),
        index.SearchField("address"),
        index.FilterField("kind"),
        index.RelatedFields("categories", [index.SearchField("name")]),
    ]
    api_fields = [
        APIField("kind"),
        APIField("description"),
        APIField("image"),
        APIField("image_thumbnail", serializer=ImageRenditionField("fill-400x300", source="image")),
        APIField("address"),
        APIField("latitude"),
        APIField("longitude"),
        APIField("opening_hours"),
        APIField("phone"),
        APIField("email"),
        APIField("website"),
        APIField("products"),
        APIField("seasons"),
        APIField("market_days"),
        APIField("pickup_points"),
        APIField("category_slugs"),
        APIField("commune_insee_code"),
    ]
    parent_page_types = ["content.DirectoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("fiche annuaire")
        verbose_name_plural = _("annuaire")

    @property
    def is_producer(self) -> bool:
        return self.kind == DirectoryKind.PRODUCER

    @property
    def seasons(self) -> list[int]:
        """Months in which at least one of the producer's products is available."""
        return sorted({int(month) for product in self.products
                       for month in product.value["months"] or []})

    def clean(self) -> None:
        super().clean()
        validate_coordinates_pair(self.latitude, self.longitude)
        if not self.is_producer:
            for name in ("products", "market_days", "pickup_points"):
                if len(getattr(self, name)):
                    raise ValidationError(
                        {name: _("Réservé aux producteurs (circuits courts).")}
                    )


def _directory_api_fields(page: DirectoryEntryPage) -> dict:
    description = representation.rich_text(page.description)
    return {
        "summary": representation.summary(description), "directory_kind": page.kind,
        "description": description, "image": representation.image(page.image),
        "address": page.address, "opening_hours": representation.stream(page.opening_hours),
        "phone": page.phone, "email": page.email, "website": page.website,
        "products": representation.stream(page.products), "seasons": page.seasons,
        "market_days": representation.stream(page.market_days),
        "pickup_points": representation.stream(page.pickup_points),
    }


def _directory_from_ap(page: DirectoryEntryPage, obj) -> None:
    page.description = obj.content or representation.html_paragraph(obj.summary)
    # Clocher servers send their kind; otherwise a LocalBusiness is a shop.
    page.kind = obj.extra.get("kind") if obj.extra.get("kind") in DirectoryKind.values \
        else (DirectoryKind.SHOP if obj.type == "LocalBusiness" else DirectoryKind.ASSOCIATION)
    if obj.extra.get("telephone"):
        page.phone = obj.extra["telephone"][:30]


kind_register(ContentKind(
    position=50,
    name="directory", model=DirectoryEntryPage, section="content.DirectoryIndexPage",
    label=_("fiche annuaire"), plural=_("annuaire"), api_path="directory",
    api_fields=_directory_api_fields, dates=lambda page: (None, None, None),
    jsonld_type="Organization",
    ap_type="Organization", ap_accepts=("Organization", "LocalBusiness"),
    to_ap=lambda page: {"kind": page.kind, "summary": sanitise.text_of_markup(
        page.description, limit=500)},
    from_ap=_directory_from_ap,
    search_text=("description", "opening_hours", "products", "market_days", "pickup_points",
                 "address"),
    detail_only=frozenset({"opening_hours", "products", "market_days", "pickup_points"}),
    # schema.org properties of its JSON-LD that its ActivityPub object carries too.
    extra={"ap_from_jsonld": ("telephone", "email", "address", "openingHours", "geo")},
    api_choice_filters={"directory_kind": tuple(DirectoryKind.values)},
    # The producers' blocks hold names, places and schedules: plain text.
    text_fields={"description": HTML, "address": PLAIN, "opening_hours": PLAIN,
                 "phone": PLAIN, "email": PLAIN, "website": PLAIN, "products": PLAIN,
                 "market_days": PLAIN, "pickup_points": PLAIN},
))

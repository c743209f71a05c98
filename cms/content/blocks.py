"""StreamField blocks shared by every page type; each sets its icon, template and preview."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

WEEKDAYS = [
    ("mon", _("lundi")),
    ("tue", _("mardi")),
    ("wed", _("mercredi")),
    ("thu", _("jeudi")),
    ("fri", _("vendredi")),
    ("sat", _("samedi")),
    ("sun", _("dimanche")),
]
MONTHS = [
    (str(number), name)
    for number, name in enumerate(
        [_("janvier"), _("février"), _("mars"), _("avril"), _("mai"), _("juin"), _("juillet"),
         _("août"), _("septembre"), _("octobre"), _("novembre"), _("décembre")],
        start=1,
    )
]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("titre"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", "H2"), ("h3", "H3"), ("h4", "H4")], default="h2", label=_("niveau")
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        preview_value = {"text": "Travaux rue de la Mairie", "level": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("texte alternatif"), max_length=250, required=False,
        help_text=_("Décrivez l'image pour les personnes qui ne la voient pas."),
    )
    caption = blocks.CharBlock(label=_("légende"), required=False, max_length=250)
    credit = blocks.CharBlock(label=_("crédit"), required=False, max_length=120)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"

    def get_api_representation(self, value, context=None):
        image = value.get("image")
        if image is None:
            return None
        rendition = image.get_rendition("max-1200x1200")
        return {
            "id": image.pk,
            "url": rendition.url,
            "width": rendition.width,
            "height": rendition.height,
            "alt": value.get("alt_text") or image.title,
            "caption": value.get("caption"),
            "credit": value.get("credit"),
        }


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("citation"))
    attribution = blocks.CharBlock(label=_("auteur"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        preview_value = {
            "text": "Le marché du samedi fait vivre le centre-bourg.",
            "attribution": "Le maire",
        }


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("texte"), max_length=120)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("lien externe"), required=False)

    class Meta:
        icon = "link"
        template = "blocks/call_to_action_block.html"
        preview_value = {"text": "S'inscrire au vide-grenier", "url": "https://example.org"}

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise StructBlockValidationError(
                block_errors={"url": ErrorList([ValidationError(
                    _("Choisissez soit une page, soit un lien externe."))])}
            )
        return value

    def get_api_representation(self, value, context=None):
        page = value.get("page")
        return {"text": value.get("text"), "url": page.full_url if page else value.get("url")}


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        icon="pilcrow", template="blocks/paragraph_block.html",
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        preview_value="<p>La mairie sera fermée le lundi 11 novembre.</p>",
    )
    image = ImageBlock()
    document = DocumentChooserBlock(icon="doc-full", template="blocks/document_block.html")
    embed = EmbedBlock(icon="media", template="blocks/embed_block.html",
                       help_text=_("Lien d'une vidéo ou d'une carte à intégrer."))
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()


class OpeningHoursBlock(blocks.StructBlock):
    """One opening slot: a day with its opening and closing times."""

    day = blocks.ChoiceBlock(choices=WEEKDAYS, label=_("jour"))
    opens = blocks.TimeBlock(label=_("ouverture"))
    closes = blocks.TimeBlock(label=_("fermeture"))

    class Meta:
        icon = "time"
        template = "blocks/opening_hours_block.html"
        preview_value = {"day": "sat", "opens": "09:00", "closes": "12:00"}

    def clean(self, value):
        value = super().clean(value)
        if value["opens"] and value["closes"] and value["closes"] <= value["opens"]:
            raise StructBlockValidationError(
                block_errors={"closes": ErrorList([ValidationError(
                    _("La fermeture doit suivre l'ouverture."))])}
            )
        return value

    def get_api_representation(self, value, context=None):
        return {
            "day": value["day"],
            "opens": value["opens"].strftime("%H:%M"),
            "closes": value["closes"].strftime("%H:%M"),
        }


class ProductBlock(blocks.StructBlock):
    """A product sold by a producer, with its season (months when available)."""

    name = blocks.CharBlock(label=_("produit"), max_length=120)
    months = blocks.MultipleChoiceBlock(choices=MONTHS, required=False, label=_("saison"))

    class Meta:
        icon = "pick"
        template = "blocks/product_block.html"
        preview_value = {"name": "Fraises", "months": ["5", "6", "7"]}

    def get_api_representation(self, value, context=None):
        return {"name": value["name"], "months": sorted(int(m) for m in value["months"] or [])}


class MarketDayBlock(OpeningHoursBlock):
    place = blocks.CharBlock(label=_("marché"), max_length=200)

    class Meta:
        icon = "date"
        template = "blocks/market_day_block.html"
        preview_value = {"day": "sat", "opens": "08:00", "closes": "13:00",
                         "place": "Place de l'Église"}

    def get_api_representation(self, value, context=None):
        return {"place": value["place"], **super().get_api_representation(value, context)}


class PickupPointBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("point de retrait"), max_length=200)
    address = blocks.CharBlock(label=_("adresse"), max_length=255, required=False)
    latitude = blocks.FloatBlock(label=_("latitude"), required=False, min_value=-90, max_value=90)
    longitude = blocks.FloatBlock(label=_("longitude"), required=False,
                                  min_value=-180, max_value=180)
    schedule = blocks.CharBlock(label=_("horaires"), max_length=255, required=False)

    class Meta:
        icon = "site"
        template = "blocks/pickup_point_block.html"
        preview_value = {"name": "AMAP de Donges", "schedule": "jeudi 18 h – 19 h"}

    def clean(self, value):
        value = super().clean(value)
        if (value.get("latitude") is None) != (value.get("longitude") is None):
            raise StructBlockValidationError(
                block_errors={"longitude": ErrorList([ValidationError(
                    _("Renseignez la latitude et la longitude ensemble."))])}
            )
        return value

"""Response shapes, for the OpenAPI schema: the bodies themselves are precomputed
payloads (payloads.py), so these classes document and are never used to render."""

from rest_framework import serializers

from cms.content.kinds import ContentKind, kind_choices
from cms.content.models import DirectoryKind, InfoTopic
from cms.readmodel.models import ChangeAction


class KindFieldMixin:
    # `kind` lists the registered kinds, read once the apps are loaded. (A comment, not a
    # docstring: drf-spectacular would describe every shape with it.)

    def get_fields(self):
        fields = super().get_fields()
        fields["kind"] = serializers.ChoiceField(choices=[name for name, _ in kind_choices()])
        return fields


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Machine-readable: invalid_parameters, "
                                 "not_authenticated, forbidden, not_found, cursor_expired, "
                                 "rate_limited, search_unavailable… (docs/api.md).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by parameter name, or under `detail`, in the language of "
                  "Accept-Language (fr, en, de; English by default).")


class CommuneRefSerializer(serializers.Serializer):
    insee = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()


class PositionSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class RenditionsSerializer(serializers.Serializer):
    thumbnail = RenditionSerializer(help_text="fill-400x300")
    medium = RenditionSerializer(help_text="max-800x800")
    large = RenditionSerializer(help_text="max-1600x1600")


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alt = serializers.CharField(allow_blank=True)
    renditions = RenditionsSerializer()


class TranslationLinkSerializer(serializers.Serializer):
    locale = serializers.CharField()
    id = serializers.IntegerField()
    url = serializers.CharField()


class ProvenanceSerializer(serializers.Serializer):
    origin_commune = serializers.CharField(allow_null=True)
    origin_server = serializers.CharField(allow_null=True)
    origin_url = serializers.CharField(allow_null=True)


class ItemBaseSerializer(KindFieldMixin, serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[])
    title = serializers.CharField()
    url = serializers.CharField(help_text="Canonical URL of the page.")
    locale = serializers.CharField()
    commune = CommuneRefSerializer()
    categories = serializers.ListField(child=serializers.CharField())
    position = PositionSerializer(allow_null=True)
    first_published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    translations = TranslationLinkSerializer(many=True)
    provenance = ProvenanceSerializer()
    shared_with = serializers.ListField(
        child=serializers.CharField(),
        help_text="INSEE codes of the other communes of this server that list the item "
                  "(shared by its commune and accepted there); `commune` is its origin.")
    featured_in = serializers.ListField(
        child=serializers.CharField(),
        help_text="INSEE codes of the communes that feature the shared item.")
    summary = serializers.CharField(allow_blank=True)


def _blocks():
    return serializers.ListField(child=serializers.DictField(),
                                 help_text="StreamField blocks (type, value, id).")


class NewsSerializer(ItemBaseSerializer):
    date = serializers.DateField()
    lead = serializers.CharField(allow_blank=True)
    image = ImageSerializer(allow_null=True)


class NewsDetailSerializer(NewsSerializer):
    body = _blocks()
    jsonld = serializers.DictField(required=False, help_text="schema.org JSON-LD.")


class EventSerializer(ItemBaseSerializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)
    time_zone = serializers.CharField()
    all_day = serializers.BooleanField()
    image = ImageSerializer(allow_null=True)
    venue_name = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    organiser = serializers.CharField(allow_blank=True)
    organiser_email = serializers.CharField(allow_blank=True, required=False)
    organiser_phone = serializers.CharField(allow_blank=True, required=False)
    is_free = serializers.BooleanField()
    price = serializers.CharField(allow_blank=True)
    registration_url = serializers.CharField(allow_blank=True)
    accessibility = serializers.CharField(allow_blank=True)


class EventDetailSerializer(EventSerializer):
    body = _blocks()
    jsonld = serializers.DictField(required=False, help_text="schema.org JSON-LD.")


class AlertSerializer(ItemBaseSerializer):
    severity = serializers.ChoiceField(choices=["info", "warning", "urgent"])
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField(allow_blank=True, help_text="HTML.")


class AlertDetailSerializer(AlertSerializer):
    jsonld = serializers.DictField(required=False, help_text="schema.org JSON-LD.")


class InfoSerializer(ItemBaseSerializer):
    topic = serializers.ChoiceField(choices=InfoTopic.values)


class InfoDetailSerializer(InfoSerializer):
    opening_hours = _blocks()
    body = _blocks()
    jsonld = serializers.DictField(required=False, help_text="schema.org JSON-LD.")


class DirectorySerializer(ItemBaseSerializer):
    directory_kind = serializers.ChoiceField(choices=DirectoryKind.values)
    description = serializers.CharField(allow_blank=True, help_text="HTML.")
    image = ImageSerializer(allow_null=True)
    address = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    website = serializers.CharField(allow_blank=True)
    seasons = serializers.ListField(child=serializers.IntegerField(),
                                    help_text="Months (1-12) with products in season.")


class DirectoryDetailSerializer(DirectorySerializer):
    opening_hours = _blocks()
    products = _blocks()
    market_days = _blocks()
    pickup_points = _blocks()
    jsonld = serializers.DictField(required=False, help_text="schema.org JSON-LD.")


_generic: dict[str, tuple[type, type]] = {}


def item_serializers(kind: ContentKind) -> tuple[type, type]:
    """The list and detail shapes of a kind: `<Name>Serializer` and
    `<Name>DetailSerializer` above when the kind has its own (as the five built-in kinds
    do), else the common fields, with the detail's own keys as free-form values."""
    name = kind.name.title().replace("_", "")
    own = globals().get(f"{name}Serializer"), globals().get(f"{name}DetailSerializer")
    if own[0] is not None and own[1] is not None:
        return own
    if kind.name not in _generic:
        listed = type(f"{name}Serializer", (ItemBaseSerializer,), {"__module__": __name__})
        detail = type(f"{name}DetailSerializer", (listed,), {
            **{key: serializers.JSONField(required=False) for key in sorted(kind.detail_only)},
            "jsonld": serializers.DictField(required=False, help_text="schema.org JSON-LD."),
            "__module__": __name__})
        _generic[kind.name] = (listed, detail)
    return _generic[kind.name]


def page_of(item_serializer, name: str):
    """A list envelope: results plus the cursor of the next page."""
    return type(name, (serializers.Serializer,), {
        "results": item_serializer(many=True),
        "next_cursor": serializers.CharField(allow_null=True,
                                             help_text="Pass as `cursor`; null at the end."),
        "next": serializers.CharField(allow_null=True, help_text="URL of the next page."),
        "__module__": __name__,
    })


class CommuneSerializer(serializers.Serializer):
    insee = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    postcodes = serializers.ListField(child=serializers.CharField())
    department = serializers.DictField(child=serializers.CharField(allow_blank=True))
    epci = serializers.DictField(child=serializers.CharField(allow_blank=True), allow_null=True)
    position = PositionSerializer(allow_null=True)


class NeighbourSerializer(serializers.Serializer):
    commune = CommuneSerializer()
    distance_km = serializers.FloatField(allow_null=True)
    same_epci = serializers.BooleanField()


class NeighbourListSerializer(serializers.Serializer):
    commune = CommuneSerializer()
    radius_km = serializers.FloatField()
    results = NeighbourSerializer(many=True)


class ChangeSerializer(KindFieldMixin, serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.ChoiceField(choices=ChangeAction.values)
    id = serializers.IntegerField(help_text="Item id.")
    kind = serializers.ChoiceField(choices=[])
    locale = serializers.CharField()
    at = serializers.DateTimeField()
    item = serializers.DictField(allow_null=True,
                                 help_text="The item's detail representation; null for "
                                           "tombstones (unpublished, deleted).")


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Always present: pass it on the next poll.")
    has_more = serializers.BooleanField()

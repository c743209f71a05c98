"""The one validation layer for query parameters: a serializer per endpoint.

Every parameter an endpoint accepts is a field here (drf-spectacular documents them
from these classes); anything else, and any value that does not validate, is a 400
naming the parameter.
"""

import datetime as dt
import math
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from cms.content.kinds import kind_choices
from cms.content.models import Category
from cms.readmodel import conf
from cms.readmodel.cursors import InvalidCursor, SortKey, cursor_decode
from cms.readmodel.selectors import (
    CHANGE_ORDERING,
    COMMUNE_ORDERING,
    commune_find,
    commune_ids_in,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_LIST_VALUES = 50
SEVERITIES = {"info": 1, "warning": 2, "urgent": 3}


class CommaListField(serializers.ListField):
    """A repeatable parameter that also accepts comma-separated values."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=100))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_LIST_VALUES)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return empty
        values = dictionary.getlist(self.field_name)
        return [part.strip() for value in values for part in value.split(",") if part.strip()]


@extend_schema_field({"type": "string", "example": "2025-06-21T20:00:00+02:00",
                      "description": "ISO 8601 date or date-time."})
class DateOrDateTimeField(serializers.Field):
    """ISO 8601 date (midnight, Europe/Paris) or date-time (naive = Europe/Paris)."""

    default_error_messages = {"invalid": "Expected an ISO 8601 date or date-time."}

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            value = parse_datetime(data)
            if value is None and (day := parse_date(data)) is not None:
                value = dt.datetime.combine(day, dt.time.min)
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        if timezone.is_naive(value):
            value = value.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return value.isoformat()


class FiniteFloatField(serializers.FloatField):
    default_error_messages = {"invalid": "A finite number is required."}

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) > 40:
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class StrictQuerySerializer(serializers.Serializer):
    """Rejects parameters it does not declare."""

    ordering_name: str = ""
    ordering: list[SortKey] = []

    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE,
                                         default=DEFAULT_PAGE_SIZE,
                                         help_text=f"1 to {MAX_PAGE_SIZE}.")
    cursor = serializers.CharField(required=False, max_length=2000,
                                   help_text="`next_cursor` of the previous page (opaque).")

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields))
        errors = {name: [_("Unknown parameter.")] for name in unknown}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            errors.update(error.detail)
            raise serializers.ValidationError(errors) from error
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def validate_cursor(self, value):
        try:
            return cursor_decode(ordering_name=self.ordering_name, ordering=self.ordering,
                                 token=value)
        except InvalidCursor as error:
            raise serializers.ValidationError(_("Invalid or foreign cursor.")) from error


def _commune(value: str):
    commune = commune_find(insee_or_slug=value)
    if commune is None:
        raise serializers.ValidationError(
            _("Unknown commune: %(value)s.") % {"value": value[:40]})
    return commune


def commune_insee(value: str) -> str:
    """A commune parameter (INSEE code or slug) as the commune's INSEE code."""
    return _commune(value).insee


class ItemQuerySerializer(StrictQuerySerializer):
    """The parameters of every kind's list; a kind's own are added by
    kind_filters.item_query_serializer."""

    commune = CommaListField(help_text="INSEE codes or slugs; repeat or separate by commas.")
    around = serializers.CharField(required=False, max_length=100,
                                   help_text="INSEE code or slug: this commune and its "
                                             "neighbours within `radius_km`.")
    radius_km = FiniteFloatField(
        required=False, min_value=0, help_text="With `around` (default 10) or `lat`/`lon`; "
                                               "at most 100.")
    epci = serializers.RegexField(r"^\d{9}$", required=False,
                                  help_text="SIREN code of the intercommunality (9 digits).")
    department = serializers.RegexField(r"^(\d{2,3}|2[AB])$", required=False,
                                        help_text="Department code (44, 2A, 974).")
    category = CommaListField(help_text="Category slugs (any of them).")
    locale = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False,
        default=settings.LANGUAGE_CODE,
        help_text="Language of the items (default: fr). Items not translated into it are "
                  "listed in French (their own `locale` says so) unless `strict_locale`.")
    strict_locale = serializers.BooleanField(
        required=False, default=False,
        help_text="true: only items in `locale`, no French fallback (default: false).")
    updated_since = DateOrDateTimeField(required=False,
                                        help_text="Only items published since (ISO 8601).")
    bbox = serializers.CharField(required=False, max_length=200,
                                 help_text="min_lon,min_lat,max_lon,max_lat (WGS 84).")
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90)
    lon = FiniteFloatField(required=False, min_value=-180, max_value=180)

    def validate_commune(self, values):
        return [_commune(value) for value in values]

    def validate_around(self, value):
        return _commune(value)

    def validate_radius_km(self, value):
        maximum = conf.neighbourhood_max_radius_km()
        if value > maximum:
            raise serializers.ValidationError(_("At most %(maximum)s km.") % {"maximum": maximum})
        return value

    def validate_epci(self, value):
        if not commune_ids_in(epci_code=value):
            raise serializers.ValidationError(_("Unknown EPCI: %(value)s.") % {"value": value})
        return value

    def validate_department(self, value):
        if not commune_ids_in(department_code=value):
            raise serializers.ValidationError(
                _("No commune in department %(value)s.") % {"value": value})
        return value

    def validate_category(self, values):
        known = set(Category.objects.filter(slug__in=values).values_list("slug", flat=True))
        unknown = [value for value in values if value not in known]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown category: %(value)s.") % {"value": ", ".join(unknown)[:80]})
        return values

    def validate_bbox(self, value):
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
        except ValueError as error:
            raise serializers.ValidationError(
                _("Expected four numbers: min_lon,min_lat,max_lon,max_lat.")) from error
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            raise serializers.ValidationError(_("Out of range or min not below max."))
        return (min_lon, min_lat, max_lon, max_lat)

    def validate(self, attrs):
        has_point = "lat" in attrs or "lon" in attrs
        if has_point and not ("lat" in attrs and "lon" in attrs and "radius_km" in attrs):
            missing = [name for name in ("lat", "lon", "radius_km") if name not in attrs]
            raise serializers.ValidationError(
                {name: [_("Required with lat/lon.")] for name in missing})
        if has_point and "around" in attrs:
            raise serializers.ValidationError({"lat": [_("Cannot be combined with around.")]})
        if "radius_km" in attrs and not has_point and "around" not in attrs:
            raise serializers.ValidationError({"radius_km": [_("Only with around or lat/lon.")]})
        return attrs


class CommuneQuerySerializer(StrictQuerySerializer):
    ordering_name = "commune"
    ordering = COMMUNE_ORDERING

    epci = serializers.RegexField(r"^\d{9}$", required=False)
    department = serializers.RegexField(r"^(\d{2,3}|2[AB])$", required=False)


class EmptyQuerySerializer(serializers.Serializer):
    """For endpoints without parameters: any parameter is unknown."""

    def to_internal_value(self, data):
        if data:
            raise serializers.ValidationError({name: [_("Unknown parameter.")]
                                               for name in sorted(data)})
        return {}


class NeighbourQuerySerializer(EmptyQuerySerializer):
    radius_km = FiniteFloatField(required=False, min_value=0,
                                       help_text="Default 10; at most 100.")

    def to_internal_value(self, data):
        unknown = sorted(set(data) - {"radius_km"})
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        return serializers.Serializer.to_internal_value(self, data)

    def validate_radius_km(self, value):
        maximum = conf.neighbourhood_max_radius_km()
        if value > maximum:
            raise serializers.ValidationError(_("At most %(maximum)s km.") % {"maximum": maximum})
        return value


class ChangeQuerySerializer(StrictQuerySerializer):
    ordering_name = "change"
    ordering = CHANGE_ORDERING

    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE,
                                         default=MAX_PAGE_SIZE, help_text="1 to 100.")
    commune = CommaListField(help_text="INSEE codes or slugs.")
    kind = CommaListField(child=serializers.ChoiceField(choices=[]), help_text="Item kinds.")

    def get_fields(self):
        fields = super().get_fields()
        # The registered kinds, read once the apps (and so every kind) are loaded.
        names = [name for name, _label in kind_choices()]
        fields["kind"].child.choices = names
        fields["kind"].help_text = f"Item kinds ({', '.join(names)})."
        return fields

    def validate_commune(self, values):
        return [_commune(value) for value in values]

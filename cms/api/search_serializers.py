"""Query parameters and response shapes of /api/search and /api/search/suggest."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from cms.content.kinds import kind_labels
from search import query

from .params import CommaListField, FiniteFloatField, StrictQuerySerializer, commune_insee


class SearchQuerySerializer(StrictQuerySerializer):
    cursor = None  # numbered pages here, not cursors
    page_size = serializers.IntegerField(required=False, min_value=1,
                                         max_value=query.MAX_PAGE_SIZE, default=20,
                                         help_text=f"1 to {query.MAX_PAGE_SIZE}.")
    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                              default="", max_length=query.MAX_TEXT_LENGTH,
                              help_text="Words to find (typos and missing accents are "
                                        "tolerated where the backend can).")
    locale = serializers.ChoiceField(
        choices=list(query.LOCALES), required=False, default="fr",
        help_text="Language of the pages (default: fr). Pages not translated into it are "
                  "found in French (each hit's `locale` says so) unless `strict_locale`.")
    strict_locale = serializers.BooleanField(
        required=False, default=False,
        help_text="true: only pages in `locale`, no French fallback (default: false).")
    commune = serializers.CharField(required=False, max_length=100,
                                    help_text="INSEE code or slug: centre of the scope "
                                              "(and of distances).")
    scope = serializers.ChoiceField(choices=list(query.SCOPES), required=False,
                                    default="neighbours",
                                    help_text="Default: the commune and its neighbours "
                                              "(everything without `commune`).")
    radius_km = FiniteFloatField(required=False, min_value=0, max_value=query.MAX_RADIUS_KM,
                                 help_text="With scope=radius.")
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90)
    lon = FiniteFloatField(required=False, min_value=-180, max_value=180)
    epci = serializers.CharField(required=False, max_length=9)
    department = serializers.CharField(required=False, max_length=3)
    kind = CommaListField(child=serializers.ChoiceField(choices=list(kind_labels())),
                          help_text="Facet filter: item kinds.")
    communes = CommaListField(help_text="Facet filter: INSEE codes or slugs.")
    category = CommaListField(help_text="Facet filter: category slugs.")
    dates = serializers.ChoiceField(choices=list(query.DATE_BUCKETS), required=False,
                                    help_text="Facet filter: events in this period.")
    include_past_events = serializers.BooleanField(
        required=False, default=False,
        help_text="Also past events and expired alerts (what has ended).")
    page = serializers.IntegerField(required=False, min_value=1, default=1,
                                    max_value=query.MAX_RESULT_WINDOW)

    def validate_commune(self, value: str) -> str:
        return commune_insee(value)

    def validate_communes(self, values: list[str]) -> list[str]:
        return [commune_insee(value) for value in values]

    def validate(self, attrs):
        if ("lat" in attrs) != ("lon" in attrs):
            missing = "lon" if "lat" in attrs else "lat"
            raise serializers.ValidationError({missing: [_("Required with lat/lon.")]})
        return attrs


class SuggestQuerySerializer(StrictQuerySerializer):
    def validate_commune(self, value: str) -> str:
        return commune_insee(value)

    cursor = None
    page_size = None
    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                              default="", max_length=100)
    locale = serializers.ChoiceField(choices=list(query.LOCALES), required=False, default="fr")
    commune = serializers.CharField(required=False, max_length=100,
                                    help_text="INSEE code or slug.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=20, default=8)


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=list(kind_labels()))
    title = serializers.CharField()
    snippet_html = serializers.CharField(allow_blank=True,
                                         help_text="Escaped text, matches in <mark>.")
    url = serializers.CharField(allow_blank=True)
    commune = serializers.DictField(child=serializers.CharField(allow_blank=True))
    distance_km = serializers.FloatField(allow_null=True)
    date = serializers.DateTimeField(allow_null=True)
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)
    provenance = serializers.CharField()
    origin_commune = serializers.CharField(allow_blank=True)
    origin_server = serializers.CharField(allow_blank=True)
    origin_url = serializers.CharField(allow_blank=True)
    locale = serializers.CharField(help_text="The page's language: fr for a page found in "
                                             "French on a search in another language.")


class FacetBucketSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetsSerializer(serializers.Serializer):
    kind = FacetBucketSerializer(many=True)
    commune = FacetBucketSerializer(many=True)
    category = FacetBucketSerializer(many=True)
    dates = FacetBucketSerializer(many=True)


class SearchResponseSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    facets = FacetsSerializer()
    capabilities = serializers.DictField(help_text="What the search backend can do.")


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    commune_name = serializers.CharField(allow_blank=True)


class SuggestResponseSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)

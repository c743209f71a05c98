"""What every commune content page shares: categories, its commune, API helpers."""

from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.communes.validators import latitude_validators, longitude_validators
from cms.core.sanitise import one_line

from ..forms import CommuneContentPageForm

_KEYS_SET_BY_WAGTAIL = ("content_type", "locale", "latest_revision", "live_revision")


class CommuneContentPage(Page):
    """Abstract base: a page that lives inside one commune's tree."""

    categories = ParentalManyToManyField(
        "content.Category", blank=True, related_name="+", verbose_name=_("catégories")
    )
    # Provenance of a page received over ActivityPub (federation/); blank for local pages.
    origin_server = models.CharField(_("serveur d'origine"), max_length=255, blank=True,
                                     editable=False)
    origin_url = models.URLField(_("URL d'origine"), max_length=500, blank=True,
                                 editable=False)
    ap_id = models.URLField(_("identifiant ActivityPub"), max_length=500, blank=True,
                            db_index=True, editable=False)
    ap_version = models.DateTimeField(_("version ActivityPub"), null=True, blank=True,
                                      editable=False)

    base_form_class = CommuneContentPageForm

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        # Wagtail sets these keys itself and the database's foreign keys guard them:
        # Django would check that each exists with one query on every save (four of
        # the queries of a publish).
        super().clean_fields(exclude={*(exclude or ()), *_KEYS_SET_BY_WAGTAIL})

    def clean(self) -> None:
        super().clean()
        # One line, whoever typed it: a line break in a title breaks every mail whose
        # subject names the page (Wagtail's moderation notifications fail on it).
        self.title = one_line(self.title, limit=255)

    @cached_property
    def commune(self) -> CommuneHomePage | None:
        return (
            CommuneHomePage.objects.ancestor_of(self, inclusive=False).first()
            if self.pk
            else None
        )

    @property
    def commune_insee_code(self) -> str | None:
        return self.commune.insee_code if self.commune else None

    @property
    def category_slugs(self) -> list[str]:
        return [category.slug for category in self.categories.all()]


def coordinate_fields() -> tuple[models.FloatField, models.FloatField]:
    """Return a fresh (latitude, longitude) pair of optional, range-checked fields."""
    return (
        models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators),
        models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators),
    )

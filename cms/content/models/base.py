"""What every commune content page shares: categories, its commune, API helpers."""

from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.communes.validators import latitude_validators, longitude_validators


class CommuneContentPage(Page):
    """Abstract base: a page that lives inside one commune's tree."""

    categories = ParentalManyToManyField(
        "content.Category", blank=True, related_name="+", verbose_name=_("catégories")
    )

    class Meta:
        abstract = True

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

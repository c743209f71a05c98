import pytest
from wagtail.models import Locale

from cms.content.models import Category
from cms.content.taxonomy import CATEGORIES

pytestmark = pytest.mark.django_db


def test_migrations_install_the_shared_taxonomy_in_three_languages():
    french = Category.objects.filter(locale=Locale.get_default())
    assert set(french.values_list("slug", flat=True)) == {c.slug for c in CATEGORIES}
    market = french.get(slug="marche")
    assert market.get_translation(Locale.objects.get(language_code="en")).name == "Market"
    assert market.get_translation(Locale.objects.get(language_code="de")).name == "Markt"

"""The shared taxonomy: one set of categories for every commune, translated."""

from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Locale

from .models import Category


@dataclass(frozen=True)
class CategoryName:
    slug: str
    fr: str
    en: str
    de: str


# The slug is the same in every language, so API filters (?category=marche) do not
# depend on the reader's language.
CATEGORIES = [
    CategoryName("culture", "Culture", "Culture", "Kultur"),
    CategoryName("sport", "Sport", "Sport", "Sport"),
    CategoryName("fete", "Fête", "Festivities", "Fest"),
    CategoryName("marche", "Marché", "Market", "Markt"),
    CategoryName("environnement", "Environnement", "Environment", "Umwelt"),
    CategoryName("dechets", "Déchets", "Waste", "Abfall"),
    CategoryName("travaux", "Travaux", "Roadworks", "Bauarbeiten"),
    CategoryName("enfance-jeunesse", "Enfance et jeunesse", "Children and youth",
                 "Kinder und Jugend"),
    CategoryName("solidarite", "Solidarité", "Solidarity", "Solidarität"),
    CategoryName("sante", "Santé", "Health", "Gesundheit"),
    CategoryName("transports", "Transports", "Transport", "Verkehr"),
    CategoryName("patrimoine", "Patrimoine", "Heritage", "Kulturerbe"),
    CategoryName("nature-randonnee", "Nature et randonnée", "Nature and hiking",
                 "Natur und Wandern"),
    CategoryName("vie-associative", "Vie associative", "Community groups", "Vereinsleben"),
    CategoryName("economie-locale", "Économie locale", "Local economy", "Lokale Wirtschaft"),
]


@transaction.atomic
def categories_ensure() -> dict[str, Category]:
    """Create the shared categories and their English and German translations.

    Idempotent: existing rows are kept (an editor may have renamed them); only
    missing categories or translations are added. Returns the source-language
    (French) categories by slug.
    """
    default = Locale.get_default()
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    by_slug: dict[str, Category] = {}
    for names in CATEGORIES:
        source = Category.objects.filter(slug=names.slug, locale=default).first()
        if source is None:
            source = Category.objects.create(name=names.fr, slug=names.slug, locale=default)
        by_slug[names.slug] = source
        for code in ("en", "de"):
            locale = locales.get(code)
            if locale is None or locale.pk == default.pk:
                continue
            if Category.objects.filter(translation_key=source.translation_key,
                                       locale=locale).exists():
                continue
            # copy_for_translation keeps the translation_key, which is what ties the
            # rows together for wagtail-localize and get_translation().
            translation = source.copy_for_translation(locale)
            translation.name = getattr(names, code)
            translation.save()
    return by_slug

import uuid

from django.db import migrations


def create_categories(apps, schema_editor):
    """Give every deployment the shared taxonomy, in French, English and German."""
    from cms.content.taxonomy import CATEGORIES  # plain data, safe in a migration

    Category = apps.get_model("content", "Category")
    Locale = apps.get_model("wagtailcore", "Locale")
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    if "fr" not in locales:
        return
    for names in CATEGORIES:
        source = Category.objects.filter(slug=names.slug, locale=locales["fr"]).first()
        if source is None:
            source = Category.objects.create(name=names.fr, slug=names.slug,
                                             locale=locales["fr"],
                                             translation_key=uuid.uuid4())
        for code in ("en", "de"):
            if code in locales and not Category.objects.filter(
                translation_key=source.translation_key, locale=locales[code]
            ).exists():
                Category.objects.create(name=getattr(names, code), slug=names.slug,
                                        locale=locales[code],
                                        translation_key=source.translation_key)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("communes", "0002_locales"),
    ]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]

"""English versions of demo pages, made through wagtail-localize.

A translation made with `page.copy_for_translation()` is a plain copy: editors
could not open it in wagtail-localize's editor and it would never follow changes
to the French page. Going through wagtail-localize instead (TranslationSource,
Translation, one StringTranslation per translated segment, then `save_target`)
gives exactly what an editor gets from "Translate this page", with the English
strings already filled in.
"""

from collections import defaultdict

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments


def segment_strings(instance) -> dict[str, list[str]]:
    """Return the translatable strings of an instance by segment path, in order.

    A path is not unique: every string of a rich text field (or of one rich text
    block) shares the field's (the block's) path.
    """
    strings: dict[str, list[str]] = defaultdict(list)
    for segment in extract_segments(instance):
        if isinstance(segment, StringSegmentValue):
            strings[segment.path].append(segment.string.data)
    return strings


def translated_strings(source, english) -> dict[tuple[str, str], str]:
    """Pair each string of `source` with the string at the same place in `english`."""
    english_strings = segment_strings(english)
    pairs = {}
    for path, strings in segment_strings(source).items():
        translated = english_strings.get(path, [])
        # A differently shaped field (an editor added a paragraph) stays untranslated.
        if len(translated) == len(strings):
            pairs.update({(path, text): other for text, other in zip(strings, translated,
                                                                      strict=True)})
    return pairs


@transaction.atomic
def page_translate(*, page: Page, locale: Locale, english: Page | None = None,
                   user=None) -> Page:
    """Create (or return) the page's translation into `locale`, published.

    `english` is an unsaved copy of the page with the translated text in place of the
    French. Its strings are matched to the page's by segment path and position, so it
    must have the same shape (same StreamField block ids, same number of paragraphs).
    Strings it does not translate stay in French, as wagtail-localize does for
    untranslated segments. Parents must be translated first, or wagtail-localize
    copies them untranslated.
    """
    page = page.specific
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing
    source, _created = TranslationSource.get_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    if english is not None:
        translated = translated_strings(page, english)
        segments = StringSegment.objects.filter(source=source).select_related(
            "string", "context"
        )
        for segment in segments:
            text = translated.get((segment.context.path, segment.string.data))
            if text and text != segment.string.data:
                StringTranslation.objects.get_or_create(
                    translation_of=segment.string, locale=locale, context=segment.context,
                    defaults={"data": text, "translation_type": "manual",
                              "last_translated_by": user},
                )
    # save_target(publish=True) defers the publication to transaction.on_commit, with
    # the page instance of that moment: publishing a parent after its children were
    # added in the same transaction writes back its stale numchild and breaks the tree.
    # Save a draft, then publish it at once from a fresh copy.
    translation.save_target(user=user, publish=False)
    target = page.get_translation(locale)
    target.get_latest_revision().publish(user=user)
    return page.get_translation(locale)

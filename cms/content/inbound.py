"""The sanitising boundary of content pages filled from outside.

Federation (`federation/activitypub/mirror.py`, one by one and in bulk), residents'
proposals (`frontend/services.py`) and imports call `page_text_sanitise()` on the page
they built, before it is saved: every field its kind declares (`ContentKind.text_fields`)
is made what the declaration says, with the one policy of cms/core/sanitise.py.

A communicator's own edits do not come through here: Wagtail's editor stores its own
rich-text format (links by page id, image embeds), which the policy would strip; they
are rendered through the policy like everything else.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from wagtail.blocks import RichTextBlock
from wagtail.fields import StreamField
from wagtail.rich_text import RichText

from cms.core import sanitise

from .kinds import kind_of_page


def page_text_sanitise(*, page: Any) -> None:
    """Make the page's declared text fields plain or clean HTML, in place; its title and
    search description one plain line."""
    page.title = sanitise.one_line(page.title, limit=255)
    page.seo_title = sanitise.one_line(page.seo_title or "", limit=255)
    page.search_description = sanitise.plain_text(page.search_description or "")
    kind = kind_of_page(page)
    if kind is None:
        return
    for name, text_type in kind.text_fields.items():
        model_field = page._meta.get_field(name)
        value = getattr(page, name)
        if isinstance(model_field, StreamField):
            if text_type == sanitise.HTML:
                _stream_clean(value)
        elif text_type == sanitise.HTML:
            setattr(page, name, sanitise.html_clean(value or ""))
        elif isinstance(model_field, models.TextField):
            setattr(page, name, sanitise.plain_text(value or ""))
        else:
            setattr(page, name, sanitise.one_line(value or "", limit=model_field.max_length))


def _stream_clean(value: Any) -> None:
    """Clean the rich text of a StreamField's top-level blocks, in place."""
    if not value:
        return
    for index, child in enumerate(value):
        if isinstance(child.block, RichTextBlock):
            source = child.value.source if isinstance(child.value, RichText) else child.value
            value[index] = (child.block_type, RichText(sanitise.html_clean(source or "")))

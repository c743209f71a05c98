"""`rich_html`: how every template shows a rich-text value (cms/core/sanitise.py)."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from wagtail.rich_text import RichText, expand_db_html

from cms.core import sanitise

register = template.Library()


@register.filter
def rich_html(value) -> SafeString:
    """Wagtail's `richtext` (links and documents expanded), then the one nh3 policy: a
    value stored by any path, before or after the inbound checks, renders inert."""
    source = value.source if isinstance(value, RichText) else value
    if not source:
        return mark_safe("")  # noqa: S308 (empty)
    return mark_safe(sanitise.html_clean(expand_db_html(str(source))))  # noqa: S308 (cleaned)

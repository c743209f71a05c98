"""{% jsonld page %}: the page's schema.org description as a JSON-LD script element."""

import logging

from django import template
from django.utils.safestring import SafeString
from wagtail.models import Page

from cms.readmodel.jsonld import item_jsonld, jsonld_script

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag(takes_context=True)
def jsonld(context: template.Context, page: Page | None) -> SafeString | str:
    """Render the page's JSON-LD; render nothing for a non-page or on failure."""
    if not isinstance(page, Page):
        return ""
    try:
        data = item_jsonld(page=page, request=context.get("request"))
    except Exception:
        # Structured data is an extra: a bug in it must not take the page down.
        logger.exception("JSON-LD failed for page %s", page.pk)
        return ""
    return jsonld_script(data)

"""Helpers that turn page fields into the JSON of the API's representation.

Used by each content kind's `api_fields` (cms/content/kinds.py): everything a list or
detail response shows is computed once, at publish time.
"""

import datetime as dt
import logging
import zoneinfo
from typing import Any

from django.utils import timezone
from django.utils.text import Truncator
from wagtail.images.models import SourceImageIOError
from wagtail.rich_text import expand_db_html

from cms.core import sanitise

logger = logging.getLogger(__name__)

RENDITIONS = {"thumbnail": "fill-400x300", "medium": "max-800x800", "large": "max-1600x1600"}
SUMMARY_LENGTH = 300


def iso(value, zone: str | None = None) -> str | None:
    """ISO 8601; date-times in the given zone (events: their own) or the site's, so a
    representation does not depend on how the value was last loaded."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(zoneinfo.ZoneInfo(zone) if zone else
                                 timezone.get_default_timezone())
    return value.isoformat()


def stream(value) -> list:
    return value.stream_block.get_api_representation(value) if value is not None else []


def rich_text(value: str) -> str:
    """A rich-text field as the API shows it: links expanded, through the one policy."""
    return sanitise.html_clean(expand_db_html(value)) if value else ""


def summary(html: str) -> str:
    """Plain text of an HTML field, shortened (entities decoded: whoever shows it
    escapes it)."""
    return Truncator(sanitise.text_of_markup(html, limit=sanitise.MAX_HTML)).chars(
        SUMMARY_LENGTH)


def image(image) -> dict[str, Any] | None:
    if image is None:
        return None
    renditions = {}
    try:
        for name, spec in RENDITIONS.items():
            rendition = image.get_rendition(spec)
            renditions[name] = {"url": rendition.full_url, "width": rendition.width,
                                "height": rendition.height}
    except (SourceImageIOError, OSError):
        # A missing original must not block publishing; the item goes out without image.
        logger.warning("image %s: original file missing, no renditions", image.pk)
        return None
    return {"id": image.pk, "alt": image.title, "renditions": renditions}


def html_paragraph(text: str) -> str:
    """Plain text as HTML paragraphs (escaped), or nothing: where a plain field becomes
    an HTML one."""
    return sanitise.html_paragraphs(text)

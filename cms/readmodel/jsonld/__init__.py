"""schema.org JSON-LD for commune pages: one dict per page, for API details and page HTML.

`item_jsonld()` is the single entry point; each page type has one builder
(builders.py), made of shared pieces (pieces.py: organisations, places, addresses,
hours, dates, images). Types follow what search engines and aggregators read (Event,
NewsArticle, LocalBusiness and its subtypes, GovernmentOrganization,
AdministrativeArea, SpecialAnnouncement). canonical.py gives every URL in it, and
the read model's (`canonical_url`, `page_urls_memoized`).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from .builders import builder_for
from .canonical import canonical_url, page_urls_memoized
from .pieces import compact

__all__ = ["CONTEXT", "canonical_url", "item_jsonld", "jsonld_script", "page_urls_memoized"]

CONTEXT = "https://schema.org"

# Inside <script>, "</script>" or "<!--" in a string would end or confuse the element:
# escape the characters Django's json_script escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def item_jsonld(*, page: Page, request: HttpRequest | None = None) -> dict[str, Any]:
    """Return the schema.org description of a page as a JSON-LD dict (with @context)."""
    page = page.specific
    builder = builder_for(page)
    data = builder(page, request)
    return {"@context": CONTEXT, **compact(data)}


def jsonld_script(data: dict[str, Any]) -> SafeString:
    """Return data as a <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308

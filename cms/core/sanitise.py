"""The one sanitising policy for text that comes from outside.

Every text field of a content kind is declared plain or HTML
(`ContentKind.text_fields`, cms/content/kinds.py). Plain text is stored as typed and
escaped wherever it is rendered (templates, feeds, JSON-LD); HTML goes through
`html_clean()`, this module's one nh3 policy, on the way in (federation's wire module,
residents' proposals, imports) and again on the way out (templates' `rich_html`, the
API's representation), so a row stored before a fix, or by a path that forgot, is
still inert when shown.

In cms.core so every layer may use it: federation parses with it, cms.content
declares kinds against it, the resident site and the API render through it.
"""

from __future__ import annotations

import html
import re
from typing import Any, Literal

import nh3
from django.utils.html import format_html_join

PLAIN: Literal["plain"] = "plain"
HTML: Literal["html"] = "html"
TextType = Literal["plain", "html"]

MAX_LINE = 255
MAX_HTML = 100_000

# What rich text may hold once expanded (links, document links, lists, emphasis) and
# what other servers send: nothing that runs, loads or styles.
ALLOWED_TAGS = frozenset({"p", "br", "a", "strong", "em", "b", "i", "u", "ul", "ol", "li",
                          "blockquote", "h2", "h3", "h4", "span"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Built once: nh3 builds its sanitiser from the options on every nh3.clean() call, ten
# times the cost of the cleaning itself.
_HTML_CLEANER = nh3.Cleaner(tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                            url_schemes=set(URL_SCHEMES), link_rel="nofollow noopener")
_TEXT_CLEANER = nh3.Cleaner(tags=set())
_WHITESPACE = re.compile(r"\s+")
# C0 and C1 controls but tab, line feed and carriage return (which `one_line` folds).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def html_clean(value: Any, *, limit: int = MAX_HTML) -> str:
    """HTML from outside, made inert: a short allow-list of tags, links with safe schemes
    only, no scripts, handlers, styles, frames or embedded documents."""
    if not isinstance(value, str) or not value:
        return ""
    return _HTML_CLEANER.clean(_CONTROLS.sub("", value[:limit]))


def text_of_markup(value: Any, *, limit: int = MAX_LINE) -> str:
    """The text of something that may hold markup (a remote name, a summary): tags
    dropped, entities decoded, whitespace folded. The result is plain text: escape it
    when rendering."""
    if not isinstance(value, str) or not value:
        return ""
    text = html.unescape(_TEXT_CLEANER.clean(value))
    return one_line(text, limit=limit)


def one_line(value: Any, *, limit: int | None = None) -> str:
    """Plain text on one line: every run of whitespace (line breaks included) one space,
    control characters dropped. For titles, names and mail subjects: a line break in
    one is a header injection or a broken notification."""
    if not isinstance(value, str):
        return ""
    text = _CONTROLS.sub("", _WHITESPACE.sub(" ", value)).strip()
    return text[:limit] if limit is not None else text


def plain_text(value: Any, *, limit: int | None = None) -> str:
    """Plain text kept as typed (line breaks included), without control characters."""
    if not isinstance(value, str):
        return ""
    text = _CONTROLS.sub("", value)
    return text[:limit] if limit is not None else text


def text_as_html(text: str) -> str:
    """Plain text where HTML is expected, as it reads (no markup added): `&`, `<` and
    `>` escaped. Quotes stay: this is element content, never an attribute."""
    return html.escape(text or "", quote=False)


def html_paragraphs(text: str) -> str:
    """Plain text as HTML: one escaped paragraph per non-empty line, or nothing. The one
    way plain text becomes an HTML field's value."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return format_html_join("", "<p>{}</p>", ((line,) for line in lines))

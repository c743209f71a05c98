"""The XSS corpus (tests/data/xss/payloads.txt) and the checks the channels' tests share.

Two checks: `policy_violations` for a value that must be clean HTML (every tag and
attribute within the one policy of cms/core/sanitise.py, no dangerous URL), and
`live_markup` for a whole rendered page, where the payloads' text may appear escaped
(in text, in a title attribute, in JSON-LD) but never as markup a browser would run.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from wagtail.fields import StreamField

from cms.core import sanitise

CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss" / "payloads.txt"
PAYLOADS: list[str] = [line for line in CORPUS.read_text(encoding="utf-8").splitlines()
                       if line.strip() and not line.startswith("# ")]
# What a payload would do if it ran: the browser test looks for these effects.
MARKERS = ("__xss", "alert(", "msgbox(")
URL_ATTRIBUTES = {"href", "src", "data", "action", "formaction", "xlink:href", "background",
                  "poster", "srcset"}
CODE_ATTRIBUTES = {"srcdoc", "style"}
SCRIPT_SCHEMES = {"javascript", "vbscript", "data"}
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def joined_paragraphs() -> str:
    """Every payload in one HTML value, one paragraph each."""
    return "".join(f"<p>{payload}</p>" for payload in PAYLOADS)


def joined_text() -> str:
    """Every payload in one plain-text value, one a line."""
    return "\n".join(PAYLOADS)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []
        self.script_texts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = [(name, value or "") for name, value in attrs]
        self.elements.append((tag, attrs))
        kind = dict(attrs).get("type", "")
        if tag == "style" or (tag == "script" and kind in ("", "text/javascript", "module")):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.script_texts.append(data)


def _collect(markup: str) -> _Collector:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector


def policy_violations(markup: str) -> list[str]:
    """What in an HTML value the one policy would not let through."""
    problems = []
    for tag, attrs in _collect(markup).elements:
        if tag not in sanitise.ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        allowed = sanitise.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        for name, value in attrs:
            if name not in allowed:
                problems.append(f"<{tag} {name}=…>")
            scheme = _SCHEME.match(html.unescape(value).replace("\t", "").replace("\n", ""))
            if name == "href" and scheme and scheme.group(1).lower() not in \
                    sanitise.URL_SCHEMES:
                problems.append(f"<{tag} href={value!r}>")
    # What the policy would still remove, as the browser-like parser of nh3 reads it
    # (entities may be spelled another way: compared decoded).
    if not problems and html.unescape(sanitise.html_clean(markup)) != html.unescape(markup):
        problems.append("not stable under the policy")
    return problems


def live_markup(page_html: str) -> list[str]:
    """Payload markup a browser would act on in a rendered page (handlers, script URLs,
    scripts or styles with a payload's code)."""
    problems = []
    collected = _collect(page_html)
    for tag, attrs in collected.elements:
        http_equiv = dict(attrs).get("http-equiv", "")
        for name, value in attrs:
            if not any(marker in value for marker in MARKERS):
                continue
            scheme = _SCHEME.match(re.sub(r"\s", "", html.unescape(value)))
            if (name.startswith("on") or name in CODE_ATTRIBUTES
                    or (name == "content" and http_equiv)
                    or (name in URL_ATTRIBUTES and scheme
                        and scheme.group(1).lower() in SCRIPT_SCHEMES)):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
        if tag == "svg" and dict(attrs).get("class") in {"icon", "monogram"}:
            continue  # the site's own pictograms and default emblem (frontend), never stored
        if tag in {"iframe", "object", "embed", "frame", "base", "svg", "math"}:
            problems.append(f"<{tag}>")
    problems += [f"script/style: {text[:60]!r}" for text in collected.script_texts
                 if any(marker in text for marker in MARKERS)]
    return problems


def html_values(page, kind) -> dict[str, str]:
    """The page's declared HTML, field by field (a StreamField: its rich-text blocks)."""
    values = {}
    for name, text_type in kind.text_fields.items():
        if text_type != sanitise.HTML:
            continue
        value = getattr(page, name)
        if isinstance(page._meta.get_field(name), StreamField):
            for index, child in enumerate(value or []):
                source = getattr(child.value, "source", child.value)
                if isinstance(source, str):
                    values[f"{name}[{index}]"] = source
        else:
            values[name] = value or ""
    return values


def api_html_values(page, kind) -> dict[str, str]:
    """The HTML of the kind's API representation (its declared, non-stream HTML fields)."""
    representation = kind.api_fields(page)
    return {f"api:{name}": representation[name]
            for name, text_type in kind.text_fields.items()
            if text_type == sanitise.HTML and isinstance(representation.get(name), str)}

"""How a commune's items and profile look in Mastodon-compatible clients.

Mastodon, GoToSocial and their apps show a post's `content`; they show `summary` as a
content warning (the post hidden behind it) and most ignore `name`. So every item goes
out with its title, its lead (a news lead, an event's date and place line…) and its
link inside `content`, with no `summary`, and with no `name` unless its type needs one
(`NAMED_TYPES`). No kind asks for a content warning, not
even an urgent alert: a warning hides the text, and an urgent alert is meant to be
read at once (docs/federation.md, "How posts look"). The item's own title, summary and
content travel beside it (`clocherName`, `clocherSummary`, `clocherContent`) for
another Clocher server, which
stores them as they are (wire.py).
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The only types sent with a `name`: Mobilizon reads an event's title from it alone.
# GoToSocial shows `summary`, or else `name`, as a content warning ("topic"), so an
# Article or a Note with a `name` would be hidden behind its own title there.
NAMED_TYPES = frozenset({"Event"})
AVATAR_SIZE = 400
HEADER_SIZE = (1500, 500)


def content_for_clients(*, title: str, lead: str, body: str, url: str) -> str:
    """Title, lead, body and link as one HTML `content`. `lead` is plain text; `body`
    is the kind's HTML (sanitised when it was written, cms/core/sanitise.py)."""
    parts = [format_html("<p><strong>{}</strong></p>", title)]
    if lead:
        parts.append(format_html("<p>{}</p>", lead))
    if body:
        parts.append(mark_safe(body))  # noqa: S308 - the kind's stored, sanitised HTML
    parts.append(format_html('<p><a href="{0}">{0}</a></p>', url))
    return "".join(str(part) for part in parts)


def image_attachment(image: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The item's image (its API representation, cms/content/representation.py) as an
    ActivityStreams attachment, the largest rendition first."""
    if not image or not image.get("renditions"):
        return []
    rendition = max(image["renditions"].values(), key=lambda r: r.get("width") or 0)
    url = rendition.get("url") or ""
    if not url.startswith(("http://", "https://")):
        return []
    media_type = "image/png" if url.lower().endswith(".png") else (
        "image/webp" if url.lower().endswith(".webp") else "image/jpeg")
    return [{"type": "Image", "mediaType": media_type, "url": url,
             "name": image.get("alt") or "", "width": rendition.get("width"),
             "height": rendition.get("height")}]


def _colour(seed: str) -> tuple[int, int, int]:
    hue = zlib.crc32(seed.encode()) % 360
    import colorsys

    red, green, blue = colorsys.hls_to_rgb(hue / 360, 0.38, 0.45)
    return int(red * 255), int(green * 255), int(blue * 255)


def _initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isalpha()]
    significant = [w for w in words if w.lower() not in {"le", "la", "les", "de", "du",
                                                          "des", "sur", "en", "sous"}]
    chosen = (significant or words or ["?"])[:2]
    return "".join(word[0].upper() for word in chosen)


def default_image_png(*, name: str, slug: str, header: bool = False) -> bytes:
    """A generated PNG for a commune without an image: its initials on a colour of its
    own (avatar), or a plain band of that colour (header)."""
    from PIL import Image, ImageDraw, ImageFont

    size = HEADER_SIZE if header else (AVATAR_SIZE, AVATAR_SIZE)
    picture = Image.new("RGB", size, _colour(slug))
    if not header:
        draw = ImageDraw.Draw(picture)
        try:
            font = ImageFont.load_default(size=AVATAR_SIZE // 3)
        except TypeError:  # Pillow without FreeType: the small bitmap font
            font = ImageFont.load_default()
        draw.text((AVATAR_SIZE / 2, AVATAR_SIZE / 2), _initials(name), fill="white",
                  font=font, anchor="mm")
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()

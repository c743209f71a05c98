"""A commune's visual identity: what the communicator set, or a default drawn from its name.

The colour check is WCAG 2.x's contrast ratio (docs/adr/0014-own-contrast-check.md);
the default identity is deterministic (same name, same colour and monogram) and fetches
nothing from outside.
"""

import colorsys
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import format_html

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Text on the main colour is white (buttons, header band), and the colour is the links'
# on white and on the site's tinted boxes (the urgent alert's pink is the darkest,
# clocher.css): WCAG AA for normal text on each.
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
SURFACES = (WHITE, "#fdecee")
# Small words left out of a monogram: "Saint-Malo-de-Guersac" gives SMG, not SMDG.
MONOGRAM_SKIP = {"de", "du", "des", "la", "le", "les", "l", "d", "sur", "sous", "en", "et",
                 "aux", "au", "lès", "lez"}


def _channel(value: int) -> float:
    scaled = value / 255
    return scaled / 12.92 if scaled <= 0.04045 else ((scaled + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #rrggbb colour."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def worst_contrast(colour: str) -> float:
    """The lowest contrast of `colour` with the surfaces it meets (white text, boxes)."""
    return min(contrast_ratio(colour, surface) for surface in SURFACES)


def _hex(red: float, green: float, blue: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (red, green, blue)))


def darker(colour: str, factor: float = 0.75) -> str:
    """The same hue, darker (hover states)."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    return _hex(*colorsys.hls_to_rgb(hue, lightness * factor, saturation))


def default_colour(name: str) -> str:
    """A colour of its own for each commune name, dark enough for white text (AA)."""
    digest = hashlib.sha256(name.encode()).digest()
    hue = digest[0] / 255
    saturation = 0.45 + digest[1] / 255 * 0.25
    lightness = 0.42
    colour = _hex(*colorsys.hls_to_rgb(hue, lightness, saturation))
    while worst_contrast(colour) < AA_NORMAL_TEXT + 0.2:
        lightness -= 0.02
        colour = _hex(*colorsys.hls_to_rgb(hue, lightness, saturation))
    return colour


def initials(name: str) -> str:
    """Up to three initials of a commune's name, accents removed ("Saint-Nazaire": SN)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[\s\-'’]+", plain) if w]
    kept = [w for w in words if w.lower() not in MONOGRAM_SKIP] or words
    return "".join(w[0].upper() for w in kept[:3]) or "?"


def monogram_svg(name: str, colour: str, *, size: int = 64) -> str:
    """A shield with the commune's initials, as SVG markup (no style attribute)."""
    letters = initials(name)
    font_size = {1: 30, 2: 22, 3: 15}.get(len(letters), 15)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="{size}" '
        'height="{size}" role="img" aria-label="{label}" class="monogram">'
        '<path d="M6 4h52v28c0 15-11 24-26 30C17 56 6 47 6 32z" fill="{colour}"/>'
        '<path d="M11 9h42v23c0 12-9 19-21 24-12-5-21-12-21-24z" fill="none" '
        'stroke="#ffffff" stroke-width="2"/>'
        '<text x="32" y="37" text-anchor="middle" dominant-baseline="middle" '
        'font-family="Georgia, serif" font-weight="700" font-size="{font_size}" '
        'fill="#ffffff">{letters}</text></svg>',
        size=size, label=name, colour=colour, font_size=font_size, letters=letters)


@dataclass(frozen=True)
class Contact:
    address: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""

    def __bool__(self) -> bool:
        return any((self.address, self.phone, self.email, self.opening_hours))


@dataclass(frozen=True)
class Identity:
    """What the site, the manifest, the actor and the widget show of a commune."""

    name: str
    colour: str
    colour_dark: str
    logo: object = None
    cover: object = None
    welcome: str = ""
    contact: Contact = field(default_factory=Contact)
    is_default: bool = True

    @property
    def monogram(self) -> str:
        return monogram_svg(self.name, self.colour)

    @property
    def version(self) -> str:
        """Changes whenever the stylesheet would: its URL's cache buster."""
        return hashlib.sha256(f"{self.colour}{self.colour_dark}".encode()).hexdigest()[:10]


def identity_build(*, name: str, setting=None) -> Identity:
    """The identity of a commune named `name` from its site setting (or the default)."""
    colour = (setting.colour if setting is not None and setting.colour else
              default_colour(name)).lower()
    if setting is None:
        return Identity(name=name, colour=colour, colour_dark=darker(colour))
    return Identity(
        name=name, colour=colour, colour_dark=darker(colour), logo=setting.logo,
        cover=setting.cover, welcome=setting.welcome,
        contact=Contact(address=setting.town_hall_address, phone=setting.town_hall_phone,
                        email=setting.town_hall_email,
                        opening_hours=setting.opening_hours),
        is_default=not (setting.colour or setting.logo_id or setting.cover_id))

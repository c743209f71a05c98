"""Image files for the upload tests, made with Pillow."""

import functools
import io

from PIL import Image


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@functools.cache
def bomb_png() -> bytes:
    """A pixel flood: ~15 KB of PNG declaring 11,000 × 11,000 pixels (issue 24's case).
    Made once per run: Pillow takes about a second to compress it."""
    buffer = io.BytesIO()
    Image.new("1", (11_000, 11_000)).save(buffer, "PNG")
    return buffer.getvalue()

"""Pixel limits for every image, whatever path stores it (issue 24, finding 7).

A PNG of a few kilobytes can declare 11,000 × 11,000 pixels: decoding it for a rendition
takes seconds and a gigabyte. Three guards, one limit (`WAGTAILIMAGES_MAX_IMAGE_PIXELS`,
set from `CLOCHER_IMAGE_MAX_PIXELS`):

- Wagtail's upload field (the admin's uploads, the residents' proposal form) refuses an
  image above it, reading only the file's header;
- Pillow refuses to open a larger image anywhere in the process: its
  `MAX_IMAGE_PIXELS` is the same limit and its `DecompressionBombWarning` is an error;
- the image model refuses to be saved above it (`image_pixels_check`, before the row
  is written), so imports, seeding and any future path are held to it too.
"""

from __future__ import annotations

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image as PILImage


def max_image_pixels() -> int | None:
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None)


def pillow_limits_apply() -> None:
    """Make Pillow refuse what the settings refuse: an error, not a warning."""
    limit = max_image_pixels()
    if limit:
        PILImage.MAX_IMAGE_PIXELS = limit
    warnings.simplefilter("error", PILImage.DecompressionBombWarning)


def image_pixels_check(*, image) -> None:
    """Raise ValidationError when the image declares more pixels than allowed (or
    Pillow calls it a decompression bomb). Reads the dimensions Django took from the
    file's header when it was assigned; never decodes it."""
    limit = max_image_pixels()
    if not limit or not image.file:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            width, height = image.width, image.height
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as error:
        raise ValidationError(_("Image trop grande : elle dépasse %(max)s pixels.")
                              % {"max": limit}, code="file_too_many_pixels") from error
    if width and height and width * height > limit:
        raise ValidationError(
            _("Image trop grande : %(pixels)s pixels, %(max)s au plus.")
            % {"pixels": width * height, "max": limit}, code="file_too_many_pixels")


def image_pre_save(sender, instance, **kwargs) -> None:
    image_pixels_check(image=instance)

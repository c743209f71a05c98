"""Reads of the communes' identities (site setting or default), one query per commune."""

from urllib.parse import urljoin

from wagtail.models import Site

from .identity import Identity, identity_build
from .models import CommuneIdentity


def commune_identity(*, commune, request=None) -> Identity:
    """The identity of `commune` (any of its translations), cached on the request."""
    cache = getattr(request, "_clocher_identities", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._clocher_identities = cache
    key = commune.translation_key
    if key not in cache:
        setting = (CommuneIdentity.objects
                   .filter(site__root_page__translation_key=key)
                   .select_related("logo", "cover").first())
        cache[key] = identity_build(name=commune.title, setting=setting)
    return cache[key]


def commune_site(*, commune) -> Site | None:
    return Site.objects.filter(root_page__translation_key=commune.translation_key).first()


def actor_images(commune) -> dict:
    """The logo and cover as the ActivityPub actor's icon and image (absolute URLs)."""
    identity = commune_identity(commune=commune)
    base = commune.get_full_url() or ""
    images = {}
    for key, image, spec in (("icon", identity.logo, "fill-400x400|format-png"),
                             ("image", identity.cover, "fill-1500x500|format-jpeg")):
        if image is not None:
            rendition = image.get_rendition(spec)
            extension = rendition.file.name.rsplit(".", 1)[-1].lower()
            images[key] = {"type": "Image",
                           "mediaType": "image/png" if extension == "png" else "image/jpeg",
                           "url": urljoin(base, rendition.url)}
    return images

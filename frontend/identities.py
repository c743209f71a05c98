"""Reads of the communes' identities (site setting or default), one query per commune."""

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

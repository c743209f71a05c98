"""Residents' images wait in a private collection until their proposal is approved.

A proposal's image is stored in its commune's *pending* collection: a child of the
commune's collection (cms/communes/roles.py), so the commune's communicants and
animateurs see and moderate it in the admin (collection permissions are inherited),
with a view restriction that marks it private: `/api/v2/images/` and
`/api/v2/documents/` list only images and documents outside restricted collections
(cms/api/wagtail_api.py), and Wagtail serves no document of it to an anonymous
visitor. Its file gets a random name, so neither the original nor a rendition has a
guessable URL. When the proposal is published, the image moves to the commune's
collection and is public from then on. See docs/uploads.md.
"""

from __future__ import annotations

import os
import secrets

from django.core.files.uploadedfile import UploadedFile
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from cms.communes.models import CommuneHomePage

PENDING_NAME = "{commune} — propositions en attente"


def commune_collection(*, commune: CommuneHomePage) -> Collection:
    """The commune's own collection (the root one when its roles were never set up)."""
    return (
        Collection.objects.filter(group_permissions__group__page_permissions__page=commune)
        .order_by("pk").first()
        or Collection.get_first_root_node()
    )


def pending_collection(*, commune: CommuneHomePage) -> Collection:
    """The commune's private collection of unmoderated uploads, created on first use."""
    parent = commune_collection(commune=commune)
    pending = (parent.get_children()
               .filter(view_restrictions__restriction_type=CollectionViewRestriction.LOGIN)
               .order_by("path").first())
    if pending is None:
        pending = parent.add_child(name=PENDING_NAME.format(commune=commune.title))
        CollectionViewRestriction.objects.create(
            collection=pending, restriction_type=CollectionViewRestriction.LOGIN)
    return pending


def contribution_image_store(*, commune: CommuneHomePage, upload: UploadedFile, title: str,
                             description: str):
    """Store a proposal's image in the commune's pending collection, under a random name."""
    extension = os.path.splitext(upload.name or "")[1].lower()[:8]
    upload.name = f"proposition-{secrets.token_urlsafe(12)}{extension}"
    image = get_image_model()(title=title[:255], description=description[:255], file=upload,
                              collection=pending_collection(commune=commune))
    image.save()
    return image


def contribution_image_publish(*, page, commune: CommuneHomePage) -> None:
    """Move the image of a published proposal from the pending collection to the
    commune's (the moderator may have replaced or removed it: then nothing moves)."""
    image = getattr(page.specific, "image", None)
    if image is None:
        return
    pending = pending_collection(commune=commune)
    if image.collection_id == pending.pk:
        image.collection = commune_collection(commune=commune)
        image.save(update_fields=["collection"])

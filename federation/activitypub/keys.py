"""Local actors' keys: generated on first use, private half encrypted at rest (Fernet)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .signatures import generate_key_pair, load_private_key


def _fernet() -> Fernet:
    secret = settings.FEDERATION_KEY_SECRET
    if secret:
        return Fernet(secret.encode())
    # Development and tests only: production refuses to start without the setting.
    derived = hashlib.sha256(f"clocher-federation-keys:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_private_key(pem: str) -> str:
    return _fernet().encrypt(pem.encode()).decode()


def decrypt_private_key(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


@lru_cache(maxsize=256)
def _private_key_cached(encrypted: str):
    return load_private_key(decrypt_private_key(encrypted))


def actor_key_get_or_create(*, commune):
    """The commune's key, created (RSA-2048) the first time it is needed."""
    from federation.models import ActorKey

    key = ActorKey.objects.filter(commune=commune).first()
    if key is not None:
        return key
    private, public = generate_key_pair()
    with transaction.atomic():
        key, _created = ActorKey.objects.get_or_create(
            commune=commune,
            defaults={"public_key_pem": public,
                      "private_key_encrypted": encrypt_private_key(private)},
        )
    return key


def actor_private_key(*, commune):
    return _private_key_cached(actor_key_get_or_create(commune=commune).private_key_encrypted)


def actor_key_rotate(*, commune):
    """Replace the commune's key pair; followers learn it from an Update of the actor."""
    from . import outbox

    key = actor_key_get_or_create(commune=commune)
    private, public = generate_key_pair()
    with transaction.atomic():
        key.public_key_pem = public
        key.private_key_encrypted = encrypt_private_key(private)
        key.generation += 1
        key.rotated_at = timezone.now()
        key.save()
        outbox.actor_update_record(commune=commune)
    return key


def instance_key_get_or_create():
    """The server's own key (the instance actor's), created the first time it is needed."""
    from federation.models import InstanceKey

    key = InstanceKey.objects.order_by("pk").first()
    if key is not None:
        return key
    private, public = generate_key_pair()
    with transaction.atomic():
        key, _created = InstanceKey.objects.get_or_create(
            pk=1, defaults={"public_key_pem": public,
                            "private_key_encrypted": encrypt_private_key(private)})
    return key


def instance_private_key():
    return _private_key_cached(instance_key_get_or_create().private_key_encrypted)

"""Partner API keys: created in the admin, shown once, stored hashed; usage counted per
day."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cms.readmodel.models import ApiKey, ApiKeyUsage

KEY_TOKEN_PREFIX = "clo_"  # noqa: S105 (a public marker, not a secret)


def api_key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_create(*, name: str, created_by=None, communes: Iterable = (),
                   rate_limit_per_minute: int = 600, cors_origins: str = "",
                   key: ApiKey | None = None) -> tuple[ApiKey, str]:
    """Create (or complete an unsaved) key; return it with its token, shown only once."""
    token = KEY_TOKEN_PREFIX + secrets.token_urlsafe(32)
    if key is None:
        key = ApiKey(name=name, rate_limit_per_minute=rate_limit_per_minute,
                     cors_origins=cors_origins)
    key.prefix = token[: len(KEY_TOKEN_PREFIX) + 8]
    key.secret_hash = api_key_hash(token)
    key.created_by = created_by
    key.save()
    if communes:
        key.communes.set(communes)
    return key, token


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def api_key_usage_record(*, key: ApiKey) -> None:
    """Count one request for today; touch last_used_at at most once a minute."""
    today = timezone.localdate()
    if not ApiKeyUsage.objects.filter(key=key, day=today).update(requests=F("requests") + 1):
        with transaction.atomic():
            usage, created = ApiKeyUsage.objects.select_for_update().get_or_create(
                key=key, day=today, defaults={"requests": 1})
            if not created:
                ApiKeyUsage.objects.filter(pk=usage.pk).update(requests=F("requests") + 1)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now

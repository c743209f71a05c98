"""Production: everything from the environment; refuse to start on unsafe defaults.

The documented environment (README, "Configuration"; docs/security.md) passes
`manage.py check --deploy` without a warning (tests/core/test_settings.py).
"""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CLOCHER_TRUSTED_PROXY_COUNT,
    DATABASES,
    FEDERATION_KEY_SECRET,
    SECRET_KEY,
    env_bool,
    env_int,
)

# As Django's own deployment check (security.W009): long, varied, not a generated
# development key.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5


def secret_key_problem(key: str) -> str | None:
    """Why `key` is not fit for production, or None."""
    if not key:
        return "is not set"
    if key.startswith(("dev-only", "django-insecure-", "test-only")):
        return "is a development key"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"has {len(key)} characters (at least {SECRET_KEY_MIN_LENGTH})"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (f"has {len(set(key))} different characters "
                f"(at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS})")
    return None


if problem := secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY {problem}: set it to a long random value in production "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").')

# federation/: the communes' private keys are encrypted with this secret.
_FERNET_HINT = ('(python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())")')
if not FEDERATION_KEY_SECRET:
    raise ImproperlyConfigured(f"FEDERATION_KEY_SECRET must be set in production {_FERNET_HINT}.")
try:
    Fernet(FEDERATION_KEY_SECRET.encode())
except ValueError:
    raise ImproperlyConfigured(
        "FEDERATION_KEY_SECRET is not a Fernet key (32 bytes in URL-safe base64, 44 "
        f"characters) {_FERNET_HINT}.") from None

DEBUG = False
# Keep each process's database connection for a minute instead of opening one per request
# (Django checks it before each request reuses it).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Forwarded headers are trusted only behind the proxies the operator declares
# (CLOCHER_TRUSTED_PROXY_COUNT): the client's address (cms/core/ratelimit.py) and
# whether the request came in over HTTPS. Without a proxy, no client can claim either.
SECURE_PROXY_SSL_HEADER = (("HTTP_X_FORWARDED_PROTO", "https")
                           if CLOCHER_TRUSTED_PROXY_COUNT > 0 else None)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS: a year by default, and the communes' own hostnames (subdomains) with it.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading commits the whole registered domain to HTTPS for good, in every browser:
    # the operator's decision (DJANGO_HSTS_PRELOAD=1), not a default to warn about.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True

# Resident site: anonymous pages are served from the page cache for 30 s
# (frontend/pagecache.py; a publish invalidates it at once in the process that made it,
# and everywhere with a shared cache, CACHE_URL). Development and tests keep it off.
CLOCHER_FRONTEND_CACHE_SECONDS = env_int("CLOCHER_FRONTEND_CACHE_SECONDS", 30)

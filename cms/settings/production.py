"""Production: everything from the environment; refuse to start on unsafe defaults."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, SECRET_KEY, env_bool, env_int

if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value in production "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

# federation/: the communes' private keys are encrypted with this secret.
if not os.environ.get("FEDERATION_KEY_SECRET"):
    raise ImproperlyConfigured(
        "FEDERATION_KEY_SECRET must be set in production "
        "(python -c \"from cryptography.fernet import Fernet; "
        'print(Fernet.generate_key().decode())").'
    )

DEBUG = False
# Keep each process's database connection for a minute instead of opening one per request
# (Django checks it before each request reuses it).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Resident site: anonymous pages are served from the page cache for 30 s
# (frontend/pagecache.py; a publish invalidates it at once in the process that made it,
# and everywhere with a shared cache, CACHE_URL). Development and tests keep it off.
CLOCHER_FRONTEND_CACHE_SECONDS = env_int("CLOCHER_FRONTEND_CACHE_SECONDS", 30)

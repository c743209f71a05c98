"""Local development: `make run`. Never used in production."""

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
# Development-only key; production.py refuses to start without a real one.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
CLOCHER_SITE_PORT = env_int("CLOCHER_SITE_PORT", 8000)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Wagtail logs every page created at INFO: hundreds of lines while seeding the demo.
LOGGING["loggers"]["wagtail"] = {"level": "WARNING"}  # noqa: F405

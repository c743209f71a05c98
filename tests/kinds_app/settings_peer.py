"""A live peer of the two-instance tests, with the extra kind (cms.settings.dev + it)."""

from cms.settings.dev import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.kinds_app"]  # noqa: F405

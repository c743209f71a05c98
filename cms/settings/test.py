"""Test settings: fast hashing, local cache.

DATABASE_URL selects PostgreSQL (CI) or SQLite (default).
"""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Wagtail's own tasks (reference index, admin search) run inline in tests.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
CLOCHER_SITE_PORT = 80
# Serve static files from the apps' folders: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# --- Search (search/): tests choose their backend; the default is the database one,
# even when CI exports ELASTICSEARCH_URL / OPENSEARCH_URL for the search tests.
CLOCHER_SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}
# Query expansion by word vectors (search/expansion.py) loads a model once per
# process and reads the corpus: on only in the tests that are about it.
CLOCHER_SEARCH_EXPANSION = False

# --- A test-only content kind (tests/kinds_app): proves that a kind is one module.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.kinds_app"]  # noqa: F405

# --- The federation's rate limit (federation/urls.py): the federation tests send hundreds
# of activities a minute from 127.0.0.1; tests/api/test_rate_limits.py sets it itself.
FEDERATION_RATE_PER_MINUTE = 0

# --- PostgreSQL (CI): a commit does not wait for its WAL to reach the disk. Tests never
# survive a crash of the server, and the migrations and transactional tests commit often.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405

# --- Residents' notifications (notify/): links in messages point at the test client.
NOTIFY_BASE_URL = "http://testserver"

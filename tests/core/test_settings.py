"""Production settings, read in a fresh interpreter as gunicorn would."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
READ = ("import json; from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], s.CACHES['default']]))")


# What README ("Configuration") and docs/security.md tell an operator to generate.
DOCUMENTED_SECRET_KEY = secrets.token_urlsafe(50)
DOCUMENTED_FERNET_KEY = Fernet.generate_key().decode()


def production(extra: dict[str, str], code: str = READ) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": DOCUMENTED_SECRET_KEY,
            "FEDERATION_KEY_SECRET": "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE=", **extra}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_production_keeps_connections_and_reads_the_cache_url():
    result = production({})
    assert result.returncode == 0, result.stderr
    max_age, health_checks, cache = json.loads(result.stdout)
    assert (max_age, health_checks) == (60, True)
    assert cache["BACKEND"].endswith("LocMemCache")

    result = production({"DATABASE_CONN_MAX_AGE": "0", "CACHE_URL": "db://clocher_cache"})
    max_age, _checks, cache = json.loads(result.stdout)
    assert max_age == 0
    assert cache == {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                     "LOCATION": "clocher_cache"}


def test_production_refuses_a_missing_secret_key():
    result = production({"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(("key", "reason"), [
    ("x", "has 1 characters"),
    ("x" * 60, "has 1 different characters"),
    ("abcd" * 20, "has 4 different characters"),
    ("dev-only-insecure-key-do-not-use-in-production-0123456789", "is a development key"),
])
def test_production_refuses_a_weak_secret_key(key, reason):
    result = production({"DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert f"DJANGO_SECRET_KEY {reason}" in result.stderr


@pytest.mark.parametrize("secret", ["", "not-a-fernet-key", "x" * 44,
                                    "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA=="])  # 31 bytes
def test_production_refuses_a_federation_key_that_is_not_a_fernet_key(secret):
    result = production({"FEDERATION_KEY_SECRET": secret})
    assert result.returncode != 0
    assert "FEDERATION_KEY_SECRET" in result.stderr


SECURITY = ("import json; from django.conf import settings as s; print(json.dumps(["
            "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER, "
            "s.CLOCHER_TRUSTED_PROXY_COUNT, s.CONTENT_SECURITY_POLICY['DIRECTIVES']"
            "['script-src']]))")


def test_production_hsts_a_year_with_subdomains_and_proxies_only_when_configured():
    result = production({}, code=SECURITY)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [31_536_000, True, None, 0, ["'self'"]]

    result = production({"CLOCHER_TRUSTED_PROXY_COUNT": "1", "DJANGO_HSTS_SECONDS": "600",
                         "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "0"}, code=SECURITY)
    assert json.loads(result.stdout)[:4] == [600, False, ["HTTP_X_FORWARDED_PROTO", "https"], 1]


def test_check_deploy_is_clean_with_the_documented_production_settings():
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_", "CLOCHER_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": DOCUMENTED_SECRET_KEY,
            "FEDERATION_KEY_SECRET": DOCUMENTED_FERNET_KEY,
            "DJANGO_ALLOWED_HOSTS": ".clocher.example",
            "CACHE_URL": "redis://127.0.0.1:6379/0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

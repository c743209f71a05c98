"""Production settings, read in a fresh interpreter as gunicorn would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = ("import json; from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], s.CACHES['default']]))")


def production(extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "FEDERATION_KEY_SECRET": "YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZiE=", **extra}
    return subprocess.run([sys.executable, "-c", READ], env=env, cwd=ROOT,
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
    assert "DJANGO_SECRET_KEY must be set" in result.stderr

"""A real S3 endpoint for the media tests: moto's server mode on loopback.

Why moto: it runs as a separate process and speaks the S3 HTTP protocol, so
django-storages and boto3 go through real requests, signatures and XML
responses. MinIO, closer to production, has no binary reachable from this
machine (see ARCHITECTURE.md, "What this machine offers for real services").
"""

import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from types import ModuleType

import boto3
import pytest
from django.conf import settings
from django.test import override_settings

S3_REGION = "us-east-1"
S3_KEY_ID = "clocher-test"  # moto accepts any credentials
S3_SECRET = "clocher-test-secret"


def load_base_settings() -> ModuleType:
    """Execute cms/settings/base.py afresh, so it reads the current environment."""
    spec = importlib.util.find_spec("cms.settings.base")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_ready(process: subprocess.Popen, url: str, log, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"moto server exited with {process.returncode}:\n{log.read().decode()}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310 (our loopback URL)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f"moto server did not answer on {url} within {timeout} s")


@pytest.fixture(scope="session")
def s3_endpoint_url() -> Iterator[str]:
    """Start `python -m moto.server` on a free loopback port for the session."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait_until_ready(process, url, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def s3_client(s3_endpoint_url):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint_url,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
    )


def public_read_policy(bucket: str) -> str:
    """Let anyone read objects: media URLs are unsigned (MEDIA_S3_QUERYSTRING_AUTH=false)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadMedia",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


@pytest.fixture
def s3_bucket(s3_client) -> str:
    """A fresh, publicly readable bucket per test, set up as a deployment's would be."""
    name = f"clocher-media-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    s3_client.put_bucket_policy(Bucket=name, Policy=public_read_policy(name))
    return name


@pytest.fixture
def s3_media(monkeypatch, s3_endpoint_url, s3_bucket) -> Iterator[dict]:
    """Store media in the bucket, configured exactly as production is: MEDIA_S3_*."""
    environment = {
        "MEDIA_S3_BUCKET": s3_bucket,
        "MEDIA_S3_ENDPOINT_URL": s3_endpoint_url,
        "MEDIA_S3_REGION": S3_REGION,
        "MEDIA_S3_ACCESS_KEY_ID": S3_KEY_ID,
        "MEDIA_S3_SECRET_ACCESS_KEY": S3_SECRET,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for name in ("MEDIA_S3_CUSTOM_DOMAIN", "MEDIA_S3_QUERYSTRING_AUTH"):
        monkeypatch.delenv(name, raising=False)
    storage = load_base_settings().STORAGES["default"]
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield storage

"""Media (images, renditions, documents) on S3-compatible object storage.

The S3 tests talk to a real S3 protocol server (moto, see conftest.py) and read
what Django wrote straight from the bucket with boto3.
"""

import io
import urllib.request

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from storages.backends.s3 import S3Storage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from .conftest import load_base_settings


def png_bytes(width: int, height: int) -> bytes:
    image = PillowImage.new("RGB", (width, height))
    for x in range(width):
        image.putpixel((x, height // 2), (x % 256, 80, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def bucket_object(s3_client, bucket: str, key: str) -> bytes:
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def image_size(data: bytes) -> tuple[int, int]:
    with PillowImage.open(io.BytesIO(data)) as image:
        image.verify()
        return image.size


@pytest.mark.s3
@pytest.mark.django_db
def test_image_and_its_rendition_are_stored_in_the_bucket(s3_media, s3_client, s3_bucket):
    image = get_image_model().objects.create(
        title="Église Saint-Martin de Donges",
        file=ImageFile(io.BytesIO(png_bytes(640, 480)), name="eglise-donges.png"),
    )
    rendition = image.get_rendition("fill-200x100")

    assert isinstance(image.file.storage._wrapped, S3Storage)
    assert image_size(bucket_object(s3_client, s3_bucket, image.file.name)) == (640, 480)
    assert image_size(bucket_object(s3_client, s3_bucket, rendition.file.name)) == (200, 100)
    # Readers fetch renditions from the bucket's public URL, not through Django.
    assert rendition.url.startswith(s3_media["OPTIONS"]["endpoint_url"])
    with urllib.request.urlopen(rendition.url, timeout=10) as response:  # noqa: S310
        assert image_size(response.read()) == (200, 100)
    # Nothing fell back to the local media directory.
    assert not (settings.MEDIA_ROOT / image.file.name).exists()


@pytest.mark.s3
@pytest.mark.django_db
def test_document_is_stored_in_the_bucket(s3_media, s3_client, s3_bucket):
    content = "Compte rendu du conseil municipal du 12 décembre.\n".encode()
    document = get_document_model().objects.create(
        title="Conseil municipal", file=ContentFile(content, name="conseil-municipal.txt")
    )

    key = document.file.name
    assert key.startswith("documents/")
    assert bucket_object(s3_client, s3_bucket, key) == content
    assert not (settings.MEDIA_ROOT / key).exists()


def test_media_are_local_files_without_a_bucket(monkeypatch):
    monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    monkeypatch.delenv("MEDIA_ROOT", raising=False)

    base = load_base_settings()

    assert base.STORAGES["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert base.MEDIA_ROOT == base.BASE_DIR / "var" / "media"


def test_a_bucket_name_switches_media_to_s3(monkeypatch):
    monkeypatch.setenv("MEDIA_S3_BUCKET", "clocher-media")
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://s3.fr-par.scw.cloud")
    monkeypatch.setenv("MEDIA_S3_REGION", "fr-par")

    options = load_base_settings().STORAGES["default"]

    assert options["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["OPTIONS"]["bucket_name"] == "clocher-media"
    assert options["OPTIONS"]["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert options["OPTIONS"]["region_name"] == "fr-par"
    # Media must never silently overwrite each other or be world-writable.
    assert options["OPTIONS"]["file_overwrite"] is False
    assert options["OPTIONS"]["default_acl"] is None

"""Uploads (issue 24, finding 7 and "What must work" 5): a pixel flood is refused on
every path that stores an image, as a form error or a 4xx, never a 500, before any
rendition is made."""

import io
import json
import struct

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.images.models import Rendition

from cms.communes.roles import CommuneRole, user_add_to_role
from frontend.models import Contribution
from tests.images import bomb_png, png_bytes

from .test_contributions import event_data, post

pytestmark = pytest.mark.django_db

Image = get_image_model()
REFUSED = (ValidationError, PILImage.DecompressionBombError,
           PILImage.DecompressionBombWarning)


def bomb(name="affiche.png"):
    return SimpleUploadedFile(name, bomb_png(), content_type="image/png")


def nothing_stored():
    return not Image.objects.exists() and not Rendition.objects.exists()


def test_the_bomb_is_small_and_huge():
    data = bomb_png()
    assert len(data) < 20_000
    assert struct.unpack(">II", data[16:24]) == (11_000, 11_000)  # the PNG's IHDR


def test_a_resident_proposal_with_a_pixel_flood_is_a_form_error(client, commune):
    response = post(client, event_data(image_alt="L'affiche"), image=bomb())
    assert response.status_code == 400  # the form again, with its errors
    assert "pixels" in response.content.decode()
    assert not Contribution.objects.exists() and nothing_stored()


@pytest.fixture
def communicant_client(client, commune):
    user = get_user_model().objects.create_user(username="com", password="x")  # noqa: S106
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    client.force_login(user)
    return client


def test_an_admin_upload_with_a_pixel_flood_is_refused(communicant_client):
    response = communicant_client.post("/admin/images/multiple/add/", {"files[]": bomb()})
    assert response.status_code < 500
    answer = json.loads(response.content)
    assert answer["success"] is False and "pixels" in json.dumps(answer)
    response = communicant_client.post("/admin/images/add/", {"title": "x", "file": bomb()})
    assert response.status_code == 200 and "pixels" in response.content.decode()
    assert nothing_stored()


def test_the_image_model_refuses_a_pixel_flood_on_any_path():
    """Imports, seeding and code that builds images without a form."""
    with pytest.raises(REFUSED):
        Image(title="bombe", file=ImageFile(io.BytesIO(bomb_png()),
                                            name="bombe.png")).save()
    assert nothing_stored()


def test_the_image_model_refuses_more_pixels_than_the_setting(settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1_000
    image = Image(title="grande", file=ImageFile(io.BytesIO(png_bytes((40, 30))),
                                                 name="grande.png"))
    with pytest.raises(ValidationError):
        image.save()
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 2_000
    image.save()  # 1,200 pixels: within the limit


def test_pillow_refuses_a_bomb_with_an_error_not_a_warning():
    with pytest.raises(REFUSED[1:]):
        PILImage.open(io.BytesIO(bomb_png())).load()

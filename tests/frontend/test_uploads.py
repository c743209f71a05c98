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


# --- unmoderated uploads are private (finding 6) ----------------------------------------


def propose_with_image(client, title="Vide-grenier de l'école"):
    image = SimpleUploadedFile("affiche-du-vide-grenier.png", png_bytes(),
                               content_type="image/png")
    response = post(client, event_data(title=title, image_alt="L'affiche"), image=image)
    assert response.status_code == 302
    return Contribution.objects.get(title=title)


def listed_ids(client, endpoint):
    response = client.get(f"/api/v2/{endpoint}/")
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def test_a_pending_proposals_image_is_private_until_approved(
        client, commune, django_capture_on_commit_callbacks):
    from wagtail.models import WorkflowState

    contribution = propose_with_image(client)
    image = contribution.page.specific.image
    assert image.collection.get_view_restrictions().exists()
    assert "affiche" not in image.file.name  # no guessable URL, renditions included
    assert image.pk not in listed_ids(client, "images")
    assert client.get(f"/api/v2/images/{image.pk}/").status_code == 404
    signed_in = client.__class__()
    signed_in.force_login(get_user_model().objects.create_user(username="quidam"))
    assert image.pk not in listed_ids(signed_in, "images")
    public_before = Image.objects.create(title="Mairie", file=ImageFile(
        io.BytesIO(png_bytes()), name="mairie.png"),
        collection=image.collection.get_parent())
    assert public_before.pk in listed_ids(client, "images")

    moderator = get_user_model().objects.create_superuser("modo", "modo@example.org", "pw")
    task_state = WorkflowState.objects.get(
        object_id=str(contribution.page_id)).current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state, moderator, "approve")
    image.refresh_from_db()
    assert not image.collection.get_view_restrictions().exists()
    assert image.collection == public_before.collection  # the commune's own
    assert image.pk in listed_ids(client, "images")


def test_documents_of_a_private_collection_are_not_listed(client, commune):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    root = Collection.get_first_root_node()
    private = root.add_child(name="Privé")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    inside = private.add_child(name="Sous-collection")
    Document = get_document_model()
    hidden = [Document.objects.create(title=f"d{n}", collection=collection,
                                      file=ContentFile(b"x", name=f"d{n}.txt"))
              for n, collection in enumerate((private, inside))]
    shown = Document.objects.create(title="public", collection=root,
                                    file=ContentFile(b"x", name="public.txt"))
    assert listed_ids(client, "documents") == {shown.pk}
    assert client.get(f"/api/v2/documents/{hidden[0].pk}/").status_code == 404
    # Wagtail's own rule lets any signed-in user through a "login" restriction: a
    # contributor of another commune would list every commune's pending uploads.
    client.force_login(get_user_model().objects.create_user(username="quidam"))
    assert listed_ids(client, "documents") == {shown.pk}


def test_the_migration_makes_existing_pending_images_private(client, commune):
    """frontend/migrations/0003: proposals sent before the private collection existed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("frontend.migrations.0003_pending_images_private")
    contribution = propose_with_image(client)
    image = contribution.page.specific.image
    public = image.collection.get_parent()
    image.collection = public
    image.save(update_fields=["collection"])
    image.collection.get_children().delete()  # as before: no private collection
    assert image.pk in listed_ids(client, "images")

    migration.pending_images_private(apps, None)
    image.refresh_from_db()
    assert image.collection.get_parent() == public
    assert image.collection.get_view_restrictions().exists()
    assert image.pk not in listed_ids(client, "images")
    public.refresh_from_db()
    assert public.numchild == 1
    public.add_child(name="Autre")  # the tree stays consistent for treebeard

"""Images of proposals still pending move to their commune's private collection
(frontend/uploads.py): before, they were stored in the commune's public one, where
/api/v2/images/ listed them. Historical models have no tree methods: the collection
is added the way treebeard does it (a 4-character base-36 step per level)."""

from django.db import migrations
from django.db.models import F

STEP = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KINDS = ("EventPage", "NewsPage", "DirectoryEntryPage")


def _step(number: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return digits.rjust(STEP, "0")


def _add_child(Collection, parent, name):
    last = (Collection.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path").first())
    number = int(last.path[-STEP:], 36) + 1 if last else 1
    child = Collection.objects.create(name=name, path=parent.path + _step(number),
                                      depth=parent.depth + 1, numchild=0)
    Collection.objects.filter(pk=parent.pk).update(numchild=F("numchild") + 1)
    return child


def pending_images_private(apps, schema_editor):
    Contribution = apps.get_model("frontend", "Contribution")
    Collection = apps.get_model("wagtailcore", "Collection")
    Restriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    Image = apps.get_model("wagtailimages", "Image")
    kinds = [apps.get_model("content", name) for name in KINDS]
    pending = {}
    for contribution in Contribution.objects.filter(status="pending", page__isnull=False):
        image_id = next((image for model in kinds for image in model.objects.filter(
            page_ptr_id=contribution.page_id).values_list("image_id", flat=True)), None)
        image = Image.objects.filter(pk=image_id).first() if image_id else None
        if image is None or Restriction.objects.filter(
                collection__path__in=[image.collection.path[:n] for n in range(
                    STEP, len(image.collection.path) + 1, STEP)]).exists():
            continue  # no image, or already private
        parent = image.collection
        if parent.pk not in pending:
            existing = Collection.objects.filter(
                path__startswith=parent.path, depth=parent.depth + 1,
                view_restrictions__restriction_type="login").order_by("path").first()
            if existing is None:
                existing = _add_child(Collection, parent,
                                      f"{parent.name} — propositions en attente")
                Restriction.objects.create(collection=existing, restriction_type="login")
            pending[parent.pk] = existing
        Image.objects.filter(pk=image.pk).update(collection=pending[parent.pk])


class Migration(migrations.Migration):

    dependencies = [
        ("frontend", "0002_contribution_language"),
        ("content", "0003_federation_origin"),
        ("wagtailcore", "0039_collectionviewrestriction"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(pending_images_private, migrations.RunPython.noop)]

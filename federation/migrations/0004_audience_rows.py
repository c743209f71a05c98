from django.db import migrations

STATES = {"accepted": "accepted", "pending": "pending", "hidden": "hidden",
          "declined": "declined"}


def shared_rows(apps, schema_editor):
    """Each reference's state, as an Audience row (cms/readmodel/audience.py)."""
    Audience = apps.get_model("clocher_api", "Audience")
    SharedItem = apps.get_model("federation", "SharedItem")
    rows = {}
    for key, receiver_id, receiver_key, origin_id, kind, state, featured in (
            SharedItem.objects.values_list(
                "translation_key", "receiver_id", "receiver__translation_key",
                "origin_commune_id", "kind", "state", "featured").iterator(chunk_size=2000)):
        rows.setdefault((key, receiver_id), Audience(
            translation_key=key, commune_id=receiver_id, commune_key=receiver_key,
            origin_id=origin_id, kind=kind,
            state="featured" if featured else STATES[state]))
    Audience.objects.bulk_create(rows.values(), batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("federation", "0003_kinds_from_registry"),
        ("clocher_api", "0006_audience"),
    ]

    operations = [migrations.RunPython(shared_rows, migrations.RunPython.noop)]

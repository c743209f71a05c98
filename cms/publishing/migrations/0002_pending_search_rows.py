"""Carry the search outbox's pending rows into the publishing outbox (nothing lost)."""

from django.db import migrations


def forwards(apps, schema_editor):
    IndexOutbox = apps.get_model("clocher_search", "IndexOutbox")
    OutboxMessage = apps.get_model("publishing", "OutboxMessage")
    OutboxMessage.objects.bulk_create([
        OutboxMessage(category="search", object_id=row.page_id,
                      payload={"locale": row.locale} if row.locale else {},
                      attempts=row.attempts, last_error=row.last_error)
        for row in IndexOutbox.objects.filter(done_at__isnull=True).order_by("id").iterator()
    ], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
        ("clocher_search", "0002_search_entry_gin"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

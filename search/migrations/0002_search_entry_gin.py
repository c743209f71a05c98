"""A GIN index on the full-text vector, on PostgreSQL only (SQLite has no tsvector)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS search_entry_vector "
                              "ON clocher_search_searchentry USING gin (search_vector)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")


class Migration(migrations.Migration):
    dependencies = [("clocher_search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

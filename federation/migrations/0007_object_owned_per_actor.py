"""Remote objects owned per actor (issue 24, finding 3): ObjectVersion rows per
(object, actor), one of them the owner."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


def owners_backfill(apps, schema_editor):
    """Until now one row per object: its actor owns it if a Create was applied (the row
    has a page, or a version). A row with neither is a tombstone recorded by a Delete
    before any Create: it becomes that actor's tombstone only, so it no longer stops
    another actor's Create (the blocking finding 3 reported)."""
    ObjectVersion = apps.get_model("federation", "ObjectVersion")
    ObjectVersion.objects.filter(Q(page__isnull=False) | Q(version__isnull=False)) \
        .update(is_owner=True)


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0006_sharing_generation'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='objectversion',
            name='is_owner',
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(owners_backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='objectversion',
            name='ap_id',
            field=models.URLField(db_index=True, max_length=500),
        ),
        migrations.AddConstraint(
            model_name='objectversion',
            constraint=models.UniqueConstraint(fields=('ap_id', 'actor_url'), name='federation_objectversion_per_actor'),
        ),
        migrations.AddConstraint(
            model_name='objectversion',
            constraint=models.UniqueConstraint(condition=models.Q(('is_owner', True)), fields=('ap_id',), name='federation_objectversion_one_owner'),
        ),
    ]

from django.db import migrations


def normalize(apps, schema_editor):
    """Store every blocked domain as federation/domains.py compares it (one row each)."""
    from federation.domains import domain_normalized

    BlockedDomain = apps.get_model("federation", "BlockedDomain")
    kept, doomed = {}, []
    for row in BlockedDomain.objects.order_by("created_at", "pk"):
        domain = domain_normalized(row.domain) or row.domain.strip().lower()
        if domain in kept:
            doomed.append(row.pk)
        else:
            kept[domain] = row
    BlockedDomain.objects.filter(pk__in=doomed).delete()  # before any rename collides
    for domain, row in kept.items():
        if domain != row.domain:
            BlockedDomain.objects.filter(pk=row.pk).update(domain=domain)


class Migration(migrations.Migration):

    dependencies = [("federation", "0004_audience_rows")]

    operations = [migrations.RunPython(normalize, migrations.RunPython.noop)]

"""Background work of the public API."""

import datetime as dt

from django_tasks import task

from . import conf, services


# High priority: partners wait for these numbers before they can see a change.
@task(priority=80)
def changes_sequence() -> int:
    """Number the changes committed since the last run (see models/changes.py)."""
    return services.changes_assign_sequence()


@task()
def changes_prune() -> int:
    return services.changes_prune(older_than=dt.timedelta(days=conf.changes_retention_days()))

"""Refuse to start when a category of the pipeline has no consumer."""

from django.core import checks

from .categories import PIPELINE_CATEGORIES, PIPELINE_SOME_CATEGORIES
from .outbox import consumers


@checks.register()
def outbox_consumers_check(app_configs, **kwargs):
    registered = consumers()
    return [
        checks.Error(f"no consumer drains the outbox category {category!r}",
                     hint="Register a Consumer in the consuming app's AppConfig.ready().",
                     id="publishing.E001")
        for category in (*PIPELINE_CATEGORIES, *PIPELINE_SOME_CATEGORIES)
        if category not in registered
    ]

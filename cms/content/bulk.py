"""Multi-row INSERTs of Wagtail pages whose tree position the caller has already set.

Used by the scale demo (cms/content/demo/scale.py) and by the federation inbox
(federation/activitypub/mirror_bulk.py). The caller sets `path`, `depth`,
`numchild`, `url_path`, `content_type_id` and the other Page columns, and raises the
parents' `numchild` in the same transaction; no signal is sent.
"""

from collections.abc import Iterator, Sequence

from django.db import connections
from wagtail.models import Page

ROWS_PER_INSERT = 1_000


def pages_insert(pages: Sequence[Page], *, database: str) -> None:
    """Insert the wagtailcore_page rows, then each model's own rows; set the ids."""
    # Django's bulk_create() refuses multi-table inheritance (a NewsPage is a
    # wagtailcore_page row plus a content_newspage row), so each table gets its own
    # multi-row INSERTs through the manager's _insert(), which bulk_create() uses
    # underneath. Parent rows first, returning their ids.
    page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    for rows in _batches(list(pages), page_fields, database=database):
        ids = Page._base_manager._insert(
            rows, fields=page_fields, returning_fields=[Page._meta.pk], using=database,
        )
        for page, (page_id,) in zip(rows, ids, strict=True):
            page.id = page.page_ptr_id = page_id
    by_model: dict[type[Page], list[Page]] = {}
    for page in pages:
        by_model.setdefault(type(page), []).append(page)
    for model, model_pages in by_model.items():
        fields = model._meta.local_concrete_fields
        for rows in _batches(model_pages, fields, database=database):
            model._base_manager._insert(rows, fields=fields, using=database)
    for page in pages:
        page._state.adding = False
        page._state.db = database


def _batches(objs: list, fields: list, *, database: str) -> Iterator[list]:
    # The backend knows its limit (SQLite caps a statement's parameters).
    size = min(ROWS_PER_INSERT, connections[database].ops.bulk_batch_size(fields, objs))
    for start in range(0, len(objs), max(1, size)):
        yield objs[start:start + size]

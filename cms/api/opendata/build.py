"""Build the open-data files: per commune, the platform-wide export, the DCAT catalogue.

Run by the worker as the consumer of the outbox category `opendata` (the pipeline writes
one row per commune whose events, directory or practical information changed, and one
for the platform, object 0); `manage.py opendata_rebuild` builds everything at once.
A request never builds a file: the views only read what is stored here.

Files live in Django's default storage (local media or S3) under `opendata/`:
`<INSEE>/<dataset>.csv|json`, `all/<dataset>.csv|json`, `<INSEE>/manifest.json`
(what the catalogue says about the commune) and `catalog.jsonld`.
"""

import csv
import io
import json
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from .datasets import Dataset, datasets

logger = logging.getLogger(__name__)
ROOT = "opendata"
PLATFORM = "all"
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


def storage():
    return storages["default"]


def file_path(scope: str, name: str) -> str:
    return f"{ROOT}/{scope}/{name}"


def _write(path: str, content: bytes) -> None:
    store = storage()
    if store.exists(path):
        store.delete(path)
    store.save(path, ContentFile(content))


def read(path: str) -> bytes | None:
    store = storage()
    if not store.exists(path):
        return None
    with store.open(path, "rb") as handle:
        return handle.read()


def _items(dataset: Dataset, commune_ids: list[int] | None):
    """Own, local items of the dataset's kind in the source language, by id."""
    from cms.readmodel.models import PublishedItem
    from cms.readmodel.page_listing import default_language_code

    items = PublishedItem.objects.filter(kind=dataset.kind, locale=default_language_code(),
                                         origin_server="")
    if commune_ids is not None:
        items = items.filter(commune_id__in=commune_ids)
    return items.order_by("pk").iterator(chunk_size=500)


def _csv(dataset: Dataset, rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=dataset.field_names, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_value(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _json(dataset: Dataset, rows: list[dict], *, scope: str) -> bytes:
    document = {"dataset": dataset.name, "scope": scope, "license": _licence(),
                "schema": _absolute(f"/{ROOT}/schemas/{dataset.name}.json"), "data": rows}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _licence() -> dict:
    from .datasets import LICENCE_NAME, LICENCE_URL

    return {"name": LICENCE_NAME, "url": LICENCE_URL}


def _absolute(path: str) -> str:
    return opendata_base_url() + path


def opendata_base_url() -> str:
    return (getattr(settings, "CLOCHER_OPENDATA_BASE_URL", "")
            or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def _build_scope(*, scope: str, commune_ids: list[int] | None) -> dict:
    counts = {}
    for dataset in datasets():
        rows = [dataset.row(item) for item in _items(dataset, commune_ids)]
        counts[dataset.name] = len(rows)
        _write(file_path(scope, f"{dataset.name}.csv"), _csv(dataset, rows))
        _write(file_path(scope, f"{dataset.name}.json"), _json(dataset, rows, scope=scope))
    return counts


def commune_files_build(*, commune) -> None:
    """Rebuild one commune's files and its manifest (a source-locale CommuneHomePage)."""
    counts = _build_scope(scope=commune.insee_code, commune_ids=[commune.pk])
    manifest = {"insee": commune.insee_code, "name": commune.title, "slug": commune.slug,
                "epci_name": commune.epci_name, "department_code": commune.department_code,
                "counts": counts, "modified": timezone.now().isoformat(timespec="seconds")}
    _write(file_path(commune.insee_code, "manifest.json"),
           json.dumps(manifest, ensure_ascii=False).encode("utf-8"))


def platform_files_build() -> None:
    """Rebuild the platform-wide export and the DCAT catalogue."""
    from .catalogue import catalogue_build

    counts = _build_scope(scope=PLATFORM, commune_ids=None)
    manifests = []
    for commune in _local_communes():
        raw = read(file_path(commune.insee_code, "manifest.json"))
        if raw is not None:
            manifests.append(json.loads(raw))
    platform = {"counts": counts, "modified": timezone.now().isoformat(timespec="seconds")}
    _write(f"{ROOT}/catalog.jsonld", json.dumps(
        catalogue_build(manifests=manifests, platform=platform),
        ensure_ascii=False, indent=1).encode("utf-8"))


def _local_communes():
    from cms.communes.selectors import commune_list

    return commune_list()  # local, live, source locale


def opendata_rows_handle(rows) -> None:
    """The outbox consumer: rebuild each commune named (object id: its page id), then the
    platform's files and catalogue (object 0). Safe to run twice: it rewrites files."""
    from cms.communes.models import CommuneHomePage

    ids = {row.object_id for row in rows}
    for commune in CommuneHomePage.objects.filter(pk__in=ids - {0}):
        commune_files_build(commune=commune)
    if ids:
        platform_files_build()


def opendata_rebuild_all() -> int:
    """Every commune's files, then the platform's: after a deploy or a bulk load."""
    communes = list(_local_communes())
    for commune in communes:
        commune_files_build(commune=commune)
    platform_files_build()
    return len(communes)


def opendata_page_wanted(page) -> bool:
    """Whether a published or withdrawn page changes a commune's open data: a local page
    of a dataset's kind in the source language."""
    from cms.content.kinds import kind_of_page
    from cms.core.locales import default_locale

    kind = kind_of_page(page)
    return (kind is not None and kind.name in {dataset.kind for dataset in datasets()}
            and page.locale_id == default_locale().pk
            and not getattr(page, "origin_server", ""))

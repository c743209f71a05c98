"""Search documents, built from the API's read model (one flat row per live page)."""

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from cms.communes.models import CommuneHomePage
from cms.content.kinds import kind_named, kinds
from cms.content.models import DirectoryKind
from cms.readmodel.audience import sharing_by_translation_key
from cms.readmodel.models import PublishedItem, PublishedItemCategory
from cms.readmodel.selectors import listed

from .text import strip_html


@dataclass
class SearchDocument:
    """What every backend indexes; `live=False` is a tombstone (keeps the version)."""

    id: int
    version: int
    live: bool = True
    locale: str = "fr"
    kind: str = ""
    title: str = ""
    summary: str = ""
    body: str = ""
    categories: list[str] = field(default_factory=list)
    commune: str = ""
    commune_name: str = ""
    epci: str = ""
    department: str = ""
    shared_with: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    date: dt.datetime | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    url: str = ""
    provenance: str = "local"
    origin_commune: str = ""
    origin_server: str = ""
    origin_url: str = ""

    @classmethod
    def tombstone(cls, *, page_id: int, version: int, locale: str = "") -> "SearchDocument":
        return cls(id=page_id, version=version, live=False, locale=locale or "fr")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, nested in value.items():
            if key not in ("id", "type", "url", "image"):
                yield from _strings(nested)
    elif isinstance(value, list):
        for nested in value:
            yield from _strings(nested)


def _body(payload: dict, kind: str) -> str:
    """The searchable text of an item: the payload keys its kind declares."""
    declared = kind_named(kind)
    keys = declared.search_text if declared else ()
    parts = [strip_html(text) for key in keys for text in _strings(payload.get(key))]
    return " ".join(part for part in parts if part)[:20_000]


def _directory_kind(payload: dict, locale: str) -> str:
    """A directory entry's kind in words, in its language ("producteur"): residents
    search "marché producteurs" for the producers who sell at a market, and no other
    text of theirs says what they are."""
    try:
        kind = DirectoryKind(payload.get("directory_kind"))
    except ValueError:
        return ""
    with translation.override(locale):
        return str(kind.label)


def _receivers(items: list[PublishedItem]) -> dict[int, list[str]]:
    """INSEE codes each item is shared with (the sharing rules' audience), one query."""
    shared = sharing_by_translation_key(keys={item.translation_key for item in items})
    return {item.pk: list(shared.get(item.translation_key, ([], []))[0]) for item in items}


def communes_by_id() -> dict[int, CommuneHomePage]:
    return {commune.pk: commune for commune in CommuneHomePage.objects.only(
        "id", "title", "insee_code", "epci_code", "department_code")}


def payload_keys() -> tuple[str, ...]:
    """Only the payload keys search reads (not the JSON-LD, images…): decoding the whole
    payload costs more than everything else in a rebuild."""
    searched = (key for kind in kinds() for key in kind.search_text)
    return tuple(dict.fromkeys(("summary", "lead", "directory_kind", *searched)))


def items_for_search(queryset):
    """Read-model rows with only what documents_for needs (one small JSON object)."""
    from django.db.models.fields.json import KeyTransform
    from django.db.models.functions import JSONObject

    keys = dict.fromkeys(payload_keys())
    return queryset.defer("payload", "etag").annotate(search_payload=JSONObject(
        **{key: KeyTransform(key, "payload") for key in keys}))


def _payload(item: PublishedItem) -> dict:
    if "payload" not in item.get_deferred_fields():
        return item.payload or {}
    value = item.search_payload
    if isinstance(value, str):  # SQLite returns the JSON text
        value = json.loads(value)
    return value or {}


def documents_for(*, items: Iterable[PublishedItem], versions: dict[int, int],
                  communes: dict[int, CommuneHomePage] | None = None,
                  default_version: int = 0) -> list[SearchDocument]:
    """Documents of read-model rows (with their categories prefetched or not)."""
    items = list(items)
    communes = communes if communes is not None else communes_by_id()
    categories: dict[int, list[str]] = {}
    for item_id, slug in PublishedItemCategory.objects.filter(
            item_id__in=[item.pk for item in items]).values_list("item_id", "slug"):
        categories.setdefault(item_id, []).append(slug)
    receivers = _receivers(items)
    documents = []
    for item in items:
        payload = _payload(item)
        commune = communes.get(item.commune_id)
        start = end = date = None
        if item.kind == "event":
            start, end = item.start, item.end
            date = item.start
        else:
            date = item.start or item.updated_at
        if item.kind == "alert":
            start, end = item.start, item.end
        documents.append(SearchDocument(
            id=item.pk, version=versions.get(item.pk, default_version), live=True,
            locale=item.locale, kind=item.kind, title=item.title,
            summary=strip_html(payload.get("summary") or payload.get("lead") or ""),
            body=" ".join(filter(None, [_directory_kind(payload, item.locale),
                                         _body(payload, item.kind)])),
            categories=sorted(categories.get(item.pk, [])),
            commune=commune.insee_code if commune else "",
            commune_name=commune.title if commune else "",
            epci=commune.epci_code if commune else "",
            department=commune.department_code if commune else "",
            shared_with=receivers.get(item.pk, []),
            latitude=item.latitude, longitude=item.longitude, date=date, start=start,
            end=end, url=item.url,
            provenance="shared" if item.origin_server or item.origin_commune else "local",
            origin_commune=item.origin_commune, origin_server=item.origin_server,
            origin_url=item.origin_url,
        ))
    return documents


def documents_for_pages(*, page_versions: dict[int, int],
                        locales: dict[int, str] | None = None) -> list[SearchDocument]:
    """Current documents of these pages; a tombstone for a page no longer live."""
    # Remote items no commune here shows are not searchable (a tombstone each).
    items = list(items_for_search(PublishedItem.objects.filter(listed(),
                                                               pk__in=list(page_versions))))
    documents = documents_for(items=items, versions=page_versions)
    found = {document.id for document in documents}
    for page_id, version in page_versions.items():
        if page_id not in found:
            documents.append(SearchDocument.tombstone(
                page_id=page_id, version=version, locale=(locales or {}).get(page_id, "")))
    return documents

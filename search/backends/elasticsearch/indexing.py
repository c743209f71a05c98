"""Writes: index creation, versioned bulk writes, rebuilds behind an alias swap,
reconciliation reads, synonyms changed in place."""

import logging
from functools import cached_property
from typing import Any

from django.utils import timezone

from ...documents import SearchDocument
from ..base import BackendUnavailable
from .mapping import document_source, index_definition
from .node import ElasticsearchNode

logger = logging.getLogger(__name__)

# A rebuild's merge to one segment: seconds for the benchmark's 220,000 documents.
MERGE_TIMEOUT_S = 3600
# Index settings while a rebuild loads an index, back to the defaults (None) after.
BULK_LOAD_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async"}


class ElasticsearchIndexing(ElasticsearchNode):
    """The writes of the Elasticsearch backend (one index per language behind an alias,
    mapping.py)."""

    def _create_index(self, *, locale: str, name: str, bulk_load: bool = False) -> None:
        body = index_definition(name=name, locale=locale, profile=self.profile)
        if bulk_load:
            body["settings"].update(BULK_LOAD_SETTINGS)
        self._call(self.client.indices.create, index=name, body=body)

    def _new_name(self, locale: str) -> str:
        return f"{self.alias(locale)}-{timezone.now():%Y%m%d%H%M%S%f}"

    @cached_property
    def _ready(self) -> set[str]:
        return set()

    def ensure_indices(self) -> None:
        for locale in self.locales:
            if locale in self._ready:
                continue
            alias = self.alias(locale)
            if not self._call(self.client.indices.exists_alias, name=alias):
                name = self._new_name(locale)
                self._create_index(locale=locale, name=name)
                self._call(self.client.indices.put_alias, index=name, name=alias)
            self._ready.add(locale)

    # -- writes -----------------------------------------------------------------------

    def index_documents(self, *, documents: list[SearchDocument],
                        target: dict[str, str] | None = None) -> None:
        if not documents:
            return
        if target is None:
            self.ensure_indices()
        actions = []
        for document in documents:
            # A tombstone goes to every language: its locale may be unknown.
            locales = [document.locale] if document.live else list(self.locales)
            for locale in locales:
                index = (target or {}).get(locale) or self.alias(locale)
                actions.append({"_op_type": "index", "_index": index, "_id": document.id,
                                "version": document.version,
                                "version_type": "external_gte",
                                "_source": document_source(document, self.profile)})
        try:
            _ok, errors = self.bulk_helper()(self.bulk_client(), actions,
                                             raise_on_error=False, raise_on_exception=True,
                                             chunk_size=1000,
                                             max_chunk_bytes=20 * 1024 * 1024,
                                             **self.bulk_options())
        except self.client_errors as error:
            raise BackendUnavailable(f"{self.flavour}: {type(error).__name__}") from error
        # 409: the index already holds a newer version, which is the point of versioning.
        real = [error for error in errors
                if next(iter(error.values())).get("status") != 409]
        if real:
            raise BackendUnavailable(f"{self.flavour}: {len(real)} bulk errors, first: "
                                     f"{str(real[0])[:500]}")

    def rebuild_begin(self) -> dict[str, str]:
        target = {}
        for locale in self.locales:
            name = self._new_name(locale)
            self._create_index(locale=locale, name=name, bulk_load=True)
            target[locale] = name
        return target

    def rebuild_finish(self, *, target: dict[str, str]) -> None:
        names = ",".join(target.values())
        actions: list[dict[str, Any]] = []
        old: list[str] = []
        for locale, name in target.items():
            self._call(self.client.indices.put_settings, index=name,
                       body={"index": dict.fromkeys(BULK_LOAD_SETTINGS)})
            alias = self.alias(locale)
            current = self._call(self.client.indices.get_alias, name=alias,
                                 ignore_unavailable=True) if self._call(
                self.client.indices.exists_alias, name=alias) else {}
            old.extend(index for index in current if index != name)
            actions.extend({"remove": {"index": index, "alias": alias}} for index in current
                           if index != name)
            actions.append({"add": {"index": name, "alias": alias}})
        self._call(self.client.indices.refresh, index=names)
        self._call(self.client.indices.update_aliases, body={"actions": actions})
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        self._ready.update(target)
        # One segment per index: a bulk load leaves a dozen, and every query pays for
        # each (fuzzy expansion per terms dictionary, ordinals for the facets). The
        # merge runs after the swap, search goes on meanwhile; the refresh after it
        # makes the merged segment the one searched (without it OpenSearch 2 went on
        # searching the bulk load's segments until the next write: issue 4, session 13).
        try:
            self.bulk_client(MERGE_TIMEOUT_S).indices.forcemerge(
                index=names, max_num_segments=1, **self.bulk_options(MERGE_TIMEOUT_S))
            self.client.indices.refresh(index=names)
        except self.client_errors as error:
            logger.warning("search rebuild: the merge to one segment failed: %s", error)

    def document_versions(self) -> dict[int, tuple[int, bool]]:
        from elasticsearch_dsl import Search

        self.ensure_indices()
        found: dict[int, tuple[int, bool]] = {}
        index = ",".join(self.alias(locale) for locale in self.locales)
        body = Search().source(["live"]).extra(version=True, size=5000).sort("_doc").to_dict()
        response = self._call(self.client.search, index=index, body=body, scroll="2m")
        while True:
            hits = response["hits"]["hits"]
            if not hits:
                break
            for hit in hits:
                version, live = hit["_version"], bool(hit["_source"].get("live"))
                page_id = int(hit["_id"])
                if page_id not in found or live:
                    found[page_id] = (version, live)
            response = self._call(self.client.scroll, scroll_id=response["_scroll_id"],
                                  scroll="2m")
        return found

    def purge(self, *, ids: list[int]) -> None:
        # Bulk deletes rather than _delete_by_query (the reindex module, which the
        # integ-test OpenSearch node lacks).
        actions = [{"_op_type": "delete", "_index": self.alias(locale), "_id": page_id}
                   for page_id in ids for locale in self.locales]
        try:
            _ok, errors = self.bulk_helper()(self.client, actions, raise_on_error=False,
                                             raise_on_exception=True, refresh=True)
        except self.client_errors as error:
            raise BackendUnavailable(f"{self.flavour}: {type(error).__name__}") from error
        real = [error for error in errors
                if next(iter(error.values())).get("status") not in (404, 409)]
        if real:
            raise BackendUnavailable(f"{self.flavour}: {str(real[0])[:500]}")

    def reset(self) -> None:
        self._call(self.client.indices.delete, index=f"{self.prefix}-*",
                   ignore_unavailable=True)
        self._ready.clear()

    def refresh(self) -> None:
        self._call(self.client.indices.refresh, index=f"{self.prefix}-*")

    def synonyms_update(self, *, rules: list[str]) -> None:
        """New search-time synonyms for the French index, no reindexing: settings of a
        closed index can change its analyzers (works on Elasticsearch and OpenSearch;
        search is unavailable on that index for the second it is closed). The "basic"
        profile applies synonyms in Python: the rules replace the file's in this process
        (the others read the file again when it changes)."""
        if self.profile != "full":
            super().synonyms_update(rules=rules)
            return
        alias = self.alias("fr")
        definition = index_definition(name=alias, locale="fr", profile="full", synonyms=rules)
        analysis = definition["settings"]["analysis"]
        for name in self._call(self.client.indices.get_alias, name=alias):
            self._call(self.client.indices.close, index=name)
            try:
                self._call(self.client.indices.put_settings, index=name,
                           body={"analysis": analysis})
            finally:
                self._call(self.client.indices.open, index=name, wait_for_active_shards=1)
        self._call(self.client.cluster.health, index=alias, wait_for_status="yellow")

"""A node: its client, its errors, the index names, and what it can do.

Analysis profiles: "full" needs the analysis-common and mapper-extras modules;
"basic" is for a node without them (Elasticsearch's integ-test build): standard
analysis plus words folded and stripped of plurals by us (text.py), the synonyms put
in the query by us, no stemming, no search_as_you_type. `profile` probes the node once
(unless ANALYSIS names one) and `capabilities` declares the difference.
"""

from functools import cached_property
from typing import Any

from ..base import BackendUnavailable, Capabilities, SearchBackend


class ElasticsearchNode(SearchBackend):
    """The connection to an Elasticsearch node; a flavour (OpenSearch) changes the
    client only. Subclasses set `flavour`."""

    flavour = "elasticsearch"

    # -- client (the only thing a flavour changes) ----------------------------------

    def make_client(self) -> Any:
        from elasticsearch import Elasticsearch
        from elasticsearch.serializer import OrjsonSerializer

        # orjson rather than the json module: less client CPU per search (issue 4).
        return Elasticsearch(self.params["URL"], request_timeout=self.timeout, max_retries=0,
                             retry_on_timeout=False,
                             serializers={"application/json": OrjsonSerializer()})

    @property
    def client_errors(self) -> tuple[type[Exception], ...]:
        import elastic_transport
        from elasticsearch import ApiError

        return (ApiError, elastic_transport.TransportError)

    def bulk_helper(self) -> Any:
        from elasticsearch import helpers

        return helpers.bulk

    def bulk_client(self, seconds: float = 60) -> Any:
        """The client for a long request (bulk, force merge), and its `bulk_options`."""
        return self.client.options(request_timeout=max(self.timeout, seconds))

    def bulk_options(self, seconds: float = 60) -> dict[str, Any]:
        return {}

    # -- setup ------------------------------------------------------------------------

    @cached_property
    def client(self) -> Any:
        return self.make_client()

    @property
    def timeout(self) -> float:
        return float(self.params.get("TIMEOUT", 10))

    @property
    def prefix(self) -> str:
        return self.params.get("INDEX_PREFIX", "clocher")

    def alias(self, locale: str) -> str:
        return f"{self.prefix}-{locale}"

    @cached_property
    def profile(self) -> str:
        configured = self.params.get("ANALYSIS", "auto")
        if configured in ("full", "basic"):
            return configured
        try:
            self.client.indices.analyze(body={"tokenizer": "standard",
                                              "filter": ["asciifolding"], "text": "é"})
        except self.client_errors as error:
            if getattr(error, "status_code", None) == 400 or getattr(
                    error, "status", None) == 400:
                return "basic"
            raise BackendUnavailable(f"cannot probe the analysis modules: {error}") from error
        return "full"

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        try:
            profile = self.profile
        except BackendUnavailable:
            profile = self.params.get("ANALYSIS", "full")
        full = profile == "full"
        return Capabilities(fuzzy=True, accent_folding=True, stemming=full, synonyms=True,
                            geo_distance=True, recency_boost=True, autocomplete=True,
                            facets=True, highlight=True, versioned_writes=True,
                            analysis=f"{self.flavour}-{profile}")

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except self.client_errors as error:
            raise BackendUnavailable(f"{self.flavour}: {type(error).__name__}") from error

    def healthy(self) -> bool:
        try:
            self.client.cluster.health()
        except self.client_errors:
            return False
        return True

"""Elasticsearch 8 and OpenSearch 2 (opensearch.py): one index per language behind an
alias, versioned bulk writes, searches with facets.

    node.py      the client, its errors, the analysis profile, capabilities
    mapping.py   analysis chains, settings and mappings, each document's source
    indexing.py  writes, rebuilds (alias swap), reconciliation, synonyms in place
    queries.py   the JSON of a search: scoring query, filters, facets
    backend.py   ElasticsearchSearchBackend: the reads (search, suggest)
"""

from .backend import ElasticsearchSearchBackend
from .mapping import index_definition

__all__ = ["ElasticsearchSearchBackend", "index_definition"]

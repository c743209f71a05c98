"""Search-time synonyms: the rules of search/analysis/synonyms_fr.txt (Solr format).

The "full" Elasticsearch profile gives them to the node's synonym filter; the backends
without one (the database backend, Elasticsearch's "basic" profile) put them in their
queries from the table (`synonym_table`). Editing the file changes them without
reindexing: the table is read again when the file changes, and `manage.py
search_synonyms` applies it to a node's analyzer.
"""

from functools import lru_cache
from pathlib import Path

from .text import SynonymTable, synonym_table

SYNONYMS_FILE = Path(__file__).resolve().parent / "analysis" / "synonyms_fr.txt"


def synonym_rules() -> list[str]:
    lines = SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def _file_synonyms(_modified: int) -> SynonymTable:
    return synonym_table(tuple(synonym_rules()))


def file_synonyms() -> SynonymTable:
    """The synonym file's table, read again when the file changes."""
    return _file_synonyms(SYNONYMS_FILE.stat().st_mtime_ns)

"""The behaviour suite on the database backend (SQLite locally, PostgreSQL in CI)."""

import pytest

from search.backends import get_search_backend
from search.query import SearchRequest, search_run

from .behaviour import IndexingBehaviour, SearchBehaviour, SynonymBehaviour, titles

pytestmark = pytest.mark.django_db


class TestDatabaseBackend(SearchBehaviour, SynonymBehaviour, IndexingBehaviour):
    @pytest.fixture
    def backend(self, settings):
        settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}
        backend = get_search_backend()
        assert not backend.capabilities.fuzzy and not backend.capabilities.geo_distance
        return backend

    def test_nothing_found_falls_back_to_the_words_typed_not_a_synonyms(self, backend, corpus,
                                                                       monkeypatch):
        from search.text import synonym_table

        # Nothing holds "kermesse", nor both "grenier" and "paroissial".
        monkeypatch.setattr(backend, "synonyms",
                            synonym_table(("kermesse, grenier paroissial",)))
        assert search_run(request=SearchRequest(text="kermesse", scope="all")).total == 0
        # Several words typed and nothing holds them all: any of them, best first.
        results = search_run(request=SearchRequest(text="kermesse école", scope="all"))
        assert "Vide-grenier de l'école" in titles(results)

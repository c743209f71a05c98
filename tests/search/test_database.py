"""The behaviour suite on the database backend (SQLite locally, PostgreSQL in CI)."""

import pytest

from search.backends import get_search_backend

from .behaviour import IndexingBehaviour, SearchBehaviour, SynonymBehaviour

pytestmark = pytest.mark.django_db


class TestDatabaseBackend(SearchBehaviour, SynonymBehaviour, IndexingBehaviour):
    @pytest.fixture
    def backend(self, settings):
        settings.CLOCHER_SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}
        backend = get_search_backend()
        assert not backend.capabilities.fuzzy and not backend.capabilities.geo_distance
        return backend

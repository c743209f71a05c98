"""The behaviour suite on real search nodes.

OpenSearch 2.19 with its analysis modules runs everything (French chain, synonyms,
search_as_you_type, typos). The Elasticsearch 8 integ-test node has no
analysis-common/mapper-extras modules: the same suite runs there on the "basic"
analysis profile (folded words, fuzziness; no stemming/synonyms, declared).
Each test skips, with the reason, when its node's URL is not in the environment.
"""

import pytest

from search.query import SearchRequest, search_run

from .behaviour import FuzzyBehaviour, IndexingBehaviour, SearchBehaviour

pytestmark = [pytest.mark.django_db, pytest.mark.search_engine]


class TestOpenSearch(SearchBehaviour, FuzzyBehaviour, IndexingBehaviour):
    @pytest.fixture
    def backend(self, engine_backend):
        assert engine_backend.capabilities.analysis == "opensearch-full"
        return engine_backend

    def test_synonyms_change_without_reindexing(self, backend, corpus):
        before = search_run(request=SearchRequest(text="kermesse", scope="all"))
        assert before.total == 0
        from search.backends.elasticsearch import synonym_rules

        backend.synonyms_update(rules=[*synonym_rules(), "kermesse, vide grenier"])
        after = search_run(request=SearchRequest(text="kermesse", scope="all"))
        assert "Vide-grenier de l'école" in [hit.title for hit in after.hits]

    def test_nearness_boost_ranks_the_nearer_item_first(self, backend, corpus):
        results = search_run(request=SearchRequest(text="marché", scope="all",
                                                   point=(47.32833, -2.42917)))
        assert results.hits[0].title == "Marché de nuit très loin"
        assert results.hits[0].distance_km is not None and results.hits[0].distance_km < 1


class TestElasticsearch(SearchBehaviour, IndexingBehaviour):
    @pytest.fixture
    def backend(self, engine_backend):
        assert engine_backend.capabilities.analysis.startswith("elasticsearch-")
        return engine_backend

    def test_typo_is_tolerated(self, backend, corpus):
        assert backend.capabilities.fuzzy
        results = search_run(request=SearchRequest(text="footbal", scope="all"))
        assert "Club de football de Montoir" in [hit.title for hit in results.hits]


def pytest_generate_tests(metafunc):
    if "engine_backend" in metafunc.fixturenames:
        flavour = "opensearch" if metafunc.cls is TestOpenSearch else "elasticsearch"
        metafunc.parametrize("engine_backend", [flavour], indirect=True)

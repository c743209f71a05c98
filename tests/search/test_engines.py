"""The behaviour suite on real search nodes.

OpenSearch 2.19 with its analysis modules runs everything (French chain, synonyms,
search_as_you_type, typos). The Elasticsearch 8 integ-test node has no
analysis-common/mapper-extras modules: the same suite runs there on the "basic"
analysis profile (folded words, fuzziness, synonyms in the query; no stemming,
declared).
Each test skips, with the reason, when its node's URL is not in the environment.
"""

import pytest

from search.backends.elasticsearch.queries import RELAXED_MATCH
from search.query import SearchRequest, search_run

from .behaviour import (
    FuzzyBehaviour,
    IndexingBehaviour,
    SearchBehaviour,
    SynonymBehaviour,
    index_news,
    titles,
)

pytestmark = [pytest.mark.django_db, pytest.mark.search_engine]


@pytest.fixture
def requests_made(backend, monkeypatch):
    """The bodies of the searches sent to the node."""
    made = []
    search = backend.client.search

    def counted(**kwargs):
        made.append(kwargs["body"])
        return search(**kwargs)

    monkeypatch.setattr(backend.client, "search", counted)
    return made


class FuzzyFallbackBehaviour:
    """The typo-tolerant pass runs only when the words as typed do not fill the page."""

    def test_words_as_typed_that_fill_the_page_need_one_request(self, backend, corpus,
                                                                  requests_made):
        results = search_run(request=SearchRequest(text="football", scope="all", page_size=1))
        assert [hit.title for hit in results.hits] == ["Club de football de Montoir"]
        assert len(requests_made) == 1
        assert "fuzziness" not in str(requests_made[0]["query"])
        # Every page from the same pass: the total decides, not the page asked for.
        second = search_run(request=SearchRequest(text="football", scope="all", page_size=1,
                                                  page=2))
        assert second.total == 1 and second.hits == []
        assert len(requests_made) == 2 and "fuzziness" not in str(requests_made[1]["query"])

    def test_a_typo_that_finds_too_little_gets_the_fuzzy_pass(self, backend, corpus,
                                                              requests_made):
        # Not "footbal" or "fotball": the light French stemmer makes both "fotbal",
        # as it does "football", so they need no fuzziness on the "full" profile.
        results = search_run(request=SearchRequest(text="footbsll", scope="all", page_size=1))
        assert [hit.title for hit in results.hits] == ["Club de football de Montoir"]
        assert results.total == 1
        assert len(requests_made) == 2 and "fuzziness" in str(requests_made[1]["query"])

    def test_typos_allowed_grow_with_the_word(self, backend, corpus, requests_made):
        # Two typos from 8 letters: "prducters" is "producteurs" less an o and a u.
        results = search_run(request=SearchRequest(text="prducters", scope="all"))
        assert titles(results) == ["Le marché des producteurs revient"]
        # None under 4 letters: "pot" is one letter from "port" and finds nothing.
        assert search_run(request=SearchRequest(text="pot", scope="all")).total == 0
        assert "fuzziness" in str(requests_made[-1]["query"])


class StoredSourceBehaviour:
    """Searched-only text (the body) stays out of the stored source every hit reads."""

    def test_the_body_is_searched_but_not_stored(self, backend, corpus, commune):
        index_news(backend, commune, id=987_654, title="Avis aux riverains",
                   summary="Travaux rue du port.", body="Ravalement des façades en novembre.")
        results = search_run(request=SearchRequest(text="ravalement", scope="all"))
        assert [hit.title for hit in results.hits] == ["Avis aux riverains"]
        assert results.hits[0].snippet_html == "Travaux rue du port."
        stored = backend.client.get(index=backend.alias("fr"), id="987654")["_source"]
        assert stored["title"] == "Avis aux riverains" and stored["summary"]
        # What a hit shows and `live`: searched and filtered fields are not stored.
        assert not {"body", "folded", "short_folded", "title_folded", "categories_text",
                    "shared_with"} & set(stored)
        assert stored["live"] is True


class MergeBehaviour:
    """A rebuild's index is searched as one merged segment once the rebuild returns."""

    def test_a_rebuild_leaves_one_searchable_segment(self, backend, corpus):
        from search.documents import SearchDocument

        target = backend.rebuild_begin()

        def searched_segments() -> int:
            shards = backend.client.indices.segments(index=target["fr"])["indices"]
            return sum(copy["num_search_segments"] for index in shards.values()
                       for copies in index["shards"].values() for copy in copies)

        for batch in range(3):  # a refresh after each: three segments
            backend.index_documents(target=target, documents=[SearchDocument(
                id=900_000 + batch, version=1, kind="news", title=f"Lot {batch}",
                commune="44052", commune_name="Donges")])
            backend.client.indices.refresh(index=target["fr"])
        assert searched_segments() == 3
        backend.rebuild_finish(target=target)
        assert searched_segments() == 1
        assert search_run(request=SearchRequest(text="lot", scope="all")).total == 3


class RelaxedClauseBehaviour:
    """The relaxed clause (most of the words) is sent in the widened pass, when every
    word finds less than a page, and only when it can find more than the all-words
    clause: two words or more (issue 26: "aide alimentaire" found nothing where one
    word was missing)."""

    @pytest.mark.parametrize("text", ["marché", "football"])
    def test_short_queries_drop_the_relaxed_clause_without_changing_scores(
            self, backend, corpus, monkeypatch, text):
        import search.backends.elasticsearch.queries as engine

        def scored():
            results = search_run(request=SearchRequest(text=text, scope="all"))
            return results.total, [(hit.id, hit.score) for hit in results.hits]

        shortened = backend._text_query(text, widened=True)["bool"]["should"]
        monkeypatch.setattr(engine, "_relaxes", lambda _words: True)
        relaxed = backend._text_query(text, widened=True)["bool"]["should"]
        assert len(shortened) == len(relaxed) - 1
        total, hits = scored()
        assert total and hits
        monkeypatch.undo()
        assert scored() == (total, [(id_, pytest.approx(score, rel=1e-5))
                                    for id_, score in hits])

    def test_most_words_only_when_every_word_finds_less_than_a_page(
            self, backend, corpus, requests_made):
        # Every word finds the market page: a page of one is full, so the night market
        # ("marché" only) is neither shown nor counted, and one request is enough (the
        # relaxed clause matches far more pages: half of a two-word search's node time).
        results = search_run(request=SearchRequest(text="marché producteurs", scope="all",
                                                   page_size=1))
        assert [hit.title for hit in results.hits] == ["Le marché des producteurs revient"]
        assert results.total == 1 and len(requests_made) == 1
        assert RELAXED_MATCH not in str(requests_made[0]["query"])
        # Less than a page of twenty: the widened pass adds the page with most words.
        results = search_run(request=SearchRequest(text="marché producteurs", scope="all"))
        assert [hit.title for hit in results.hits] == [
            "Le marché des producteurs revient", "Marché de nuit très loin"]
        assert RELAXED_MATCH in str(requests_made[-1]["query"])

    def test_two_words_keep_the_relaxed_clause(self, backend, corpus):
        results = search_run(request=SearchRequest(text="football kermesse", scope="all"))
        assert [hit.title for hit in results.hits] == ["Club de football de Montoir"]

    def test_longer_queries_keep_the_relaxed_clause(self, backend, corpus):
        # Three words, one of them nowhere in the item: only the relaxed clause finds it.
        results = search_run(request=SearchRequest(text="club football guérande",
                                                   scope="all"))
        assert [hit.title for hit in results.hits] == ["Club de football de Montoir"]


class TestOpenSearch(SearchBehaviour, FuzzyBehaviour, SynonymBehaviour, IndexingBehaviour,
                     FuzzyFallbackBehaviour, StoredSourceBehaviour, MergeBehaviour,
                     RelaxedClauseBehaviour):
    @pytest.fixture
    def backend(self, engine_backend):
        assert engine_backend.capabilities.analysis == "opensearch-full"
        return engine_backend

    def test_nearness_boost_ranks_the_nearer_item_first(self, backend, corpus, commune,
                                                        far_commune):
        # Equal matches (nearness is a tie-break, issue 26): the one near the point first.
        index_news(backend, commune, id=987_661, title="Marché de nuit",
                   latitude=47.31824, longitude=-2.07538)
        index_news(backend, far_commune, id=987_662, title="Marché de nuit",
                   latitude=47.32833, longitude=-2.42917)
        results = search_run(request=SearchRequest(text="marché de nuit", scope="all",
                                                   point=(47.32833, -2.42917)))
        assert [hit.id for hit in results.hits[:2]] == [987_662, 987_661]
        assert results.hits[0].distance_km is not None and results.hits[0].distance_km < 1


class TestElasticsearch(SearchBehaviour, FuzzyBehaviour, SynonymBehaviour, IndexingBehaviour,
                        FuzzyFallbackBehaviour, StoredSourceBehaviour, MergeBehaviour,
                        RelaxedClauseBehaviour):
    @pytest.fixture
    def backend(self, engine_backend):
        assert engine_backend.capabilities.analysis.startswith("elasticsearch-")
        return engine_backend

    def test_snippets_mark_the_words_stemmed_once(self, backend, corpus, commune):
        # "stress" is "stres" once stemmed; stemmed twice ("stre") it marked "stretching".
        index_news(backend, commune, id=987_657, title="Atelier anti-stress",
                   summary="Gérer son stress, puis stretching.")
        results = search_run(request=SearchRequest(text="stress", scope="all"))
        assert results.hits[0].snippet_html == ("Gérer son <mark>stress</mark>, puis "
                                                "stretching.")

    def test_typos_are_read_outside_the_body_and_words_as_typed_anywhere(self, backend,
                                                                       corpus, commune):
        index_news(backend, commune, id=987_655, title="Centre de tri du Brivet",
                   summary="Dépôt des encombrants.",
                   body="Horaires d'hiver : du lundi au samedi.")
        # A typo in a word of the summary, the other word as typed in the body only.
        found = search_run(request=SearchRequest(text="horaires encombrents", scope="all"))
        assert titles(found) == ["Centre de tri du Brivet"]
        # A typo in a word of the body only is not read, as on the "full" profile.
        assert search_run(request=SearchRequest(text="lunid", scope="all")).total == 0


@pytest.mark.parametrize("flavour", ["opensearch", "elasticsearch"])
def test_clients_read_and_write_json_with_orjson(flavour):
    # No node needed: building a client opens no connection.
    from search.backends import backend_from_params

    params = {"opensearch": {"BACKEND": "search.backends.opensearch.OpenSearchSearchBackend",
                             "URL": "http://127.0.0.1:1"},
              "elasticsearch": {"BACKEND": "search.backends.elasticsearch."
                                           "ElasticsearchSearchBackend",
                                "URL": "http://127.0.0.1:1"}}[flavour]
    transport = backend_from_params(params).client.transport
    body = {"query": {"match": {"title": "fête"}}, "size": 1.5}
    if flavour == "opensearch":
        from search.backends.opensearch import OrjsonSerializer

        serializer = transport.serializer
        assert isinstance(serializer, OrjsonSerializer)
        assert transport.deserializer.serializers["application/json"] is serializer
        # Text, as opensearch-py's bulk helper measures it with str.encode().
        assert isinstance(serializer.dumps(body), str)
        assert serializer.loads(serializer.dumps(body)) == body
    else:
        from elasticsearch.serializer import OrjsonSerializer

        for mimetype in ("application/json", "application/vnd.elasticsearch+json"):
            serializer = transport.serializers.get_serializer(mimetype)
            assert isinstance(serializer, OrjsonSerializer)
            assert serializer.loads(serializer.dumps(body)) == body


def pytest_generate_tests(metafunc):
    if "engine_backend" in metafunc.fixturenames:
        flavour = "opensearch" if metafunc.cls is TestOpenSearch else "elasticsearch"
        metafunc.parametrize("engine_backend", [flavour], indirect=True)

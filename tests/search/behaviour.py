"""One behaviour-test mixin, run once per backend (test_database.py, test_engines.py).

Subclasses provide the `backend` fixture (configured as settings.CLOCHER_SEARCH);
`corpus` (conftest.py) publishes a few items in Donges (44052), Montoir-de-Bretagne
(44103, a neighbour) and Guérande (44069, 25 km, another EPCI) and drains the outbox.
"""

import datetime as dt

import pytest
from django.utils import timezone

from search.query import SearchRequest, SearchRequestError, search_run, search_suggest
from tests.factories import make_alert, make_directory, publish

from .conftest import drain


def titles(results):
    return [hit.title for hit in results.hits]


def index_news(backend, commune, **fields) -> None:
    """A news item straight into the index (no page behind it), searchable."""
    from search.documents import SearchDocument

    backend.index_documents(documents=[SearchDocument(
        version=1, kind="news", commune=commune.insee_code, commune_name=commune.title,
        **fields)])
    backend.refresh()


class SearchBehaviour:
    def test_finds_words_without_accents_and_in_any_case(self, backend, corpus):
        results = search_run(request=SearchRequest(text="DECHETERIE", scope="all"))
        assert "Déchèterie de Donges" in titles(results)

    def test_plural_finds_singular(self, backend, corpus):
        results = search_run(request=SearchRequest(text="producteur", scope="all"))
        assert "Le marché des producteurs revient" in titles(results)

    def test_directory_entries_are_found_by_their_kind(self, backend, corpus, commune):
        # Nothing but its kind says that this farm is a producer.
        farm = make_directory(commune, title="Ferme des Tilleuls", kind="producer",
                              description="<p>Le samedi matin au marché de Donges.</p>")
        publish(farm)
        drain()
        results = search_run(request=SearchRequest(text="marché producteurs", scope="all"))
        assert "Ferme des Tilleuls" in titles(results)
        shops = search_run(request=SearchRequest(text="commerce", scope="all"))
        assert "Ferme des Tilleuls" not in titles(shops)

    def test_another_language_finds_the_french_pages_not_translated(self, backend, corpus):
        english = search_run(request=SearchRequest(text="déchèterie", scope="all",
                                                   locale="en"))
        assert [(hit.title, hit.locale) for hit in english.hits] == [
            ("Déchèterie de Donges", "fr")]
        assert search_run(request=SearchRequest(text="déchèterie", scope="all", locale="en",
                                                strict_locale=True)).total == 0
        # Once translated, the page is found in English only, never twice.
        from wagtail.models import Locale

        source = corpus["dechet"]
        translated = source.copy_for_translation(Locale.objects.get(language_code="en"),
                                                 copy_parents=True)
        for ancestor in translated.get_ancestors(inclusive=True).specific().filter(
                locale__language_code="en", depth__gt=1):
            if not ancestor.live:
                ancestor.save_revision().publish()
        english_page = translated.specific.__class__.objects.get(pk=translated.pk)
        english_page.title = "Recycling centre"
        english_page.save_revision().publish()
        drain()
        found = search_run(request=SearchRequest(text="recycling", scope="all", locale="en"))
        assert [(hit.title, hit.locale) for hit in found.hits] == [("Recycling centre", "en")]
        again = search_run(request=SearchRequest(text="déchèterie", scope="all", locale="en"))
        assert "Déchèterie de Donges" not in titles(again)

    def test_default_scope_is_commune_and_neighbours(self, backend, corpus):
        results = search_run(request=SearchRequest(text="marché", commune="44052"))
        assert titles(results) == ["Le marché des producteurs revient"]
        everywhere = search_run(request=SearchRequest(text="marché", scope="all"))
        assert "Marché de nuit très loin" in titles(everywhere)

    def test_neighbours_items_are_found_with_commune_and_distance(self, backend, corpus):
        results = search_run(request=SearchRequest(text="football", commune="44052"))
        hit = results.hits[0]
        assert hit.title == "Club de football de Montoir"
        assert hit.commune_insee == "44103" and hit.commune_name == "Montoir-de-Bretagne"
        assert hit.distance_km is not None and 5 < hit.distance_km < 7

    def test_a_commune_never_finds_what_it_holds_back(self, backend, corpus, commune,
                                                         neighbour_commune):
        from cms.readmodel.models import Audience

        foot = corpus["foot"]
        # Donges hid Montoir's club (the Audience row the sharing rules write).
        Audience.objects.create(translation_key=foot.translation_key, commune=commune,
                                commune_key=commune.translation_key, origin=neighbour_commune,
                                kind="directory", state="hidden")
        from_donges = search_run(request=SearchRequest(text="football", commune="44052"))
        assert "Club de football de Montoir" not in titles(from_donges)
        # Montoir's own search, and a search from nowhere in particular, still find it.
        from_montoir = search_run(request=SearchRequest(text="football", commune="44103"))
        assert titles(from_montoir) == ["Club de football de Montoir"]
        anywhere = search_run(request=SearchRequest(text="football", scope="all"))
        assert titles(anywhere) == ["Club de football de Montoir"]

    def test_commune_scope_excludes_neighbours(self, backend, corpus):
        results = search_run(request=SearchRequest(text="football", commune="44052",
                                                   scope="commune"))
        assert results.total == 0

    def test_epci_and_department_scopes(self, backend, corpus):
        epci = search_run(request=SearchRequest(text="marché", commune="44052", scope="epci"))
        assert titles(epci) == ["Le marché des producteurs revient"]
        department = search_run(request=SearchRequest(text="marché", scope="department",
                                                      department="44"))
        assert len(department.hits) == 2

    def test_radius_scope(self, backend, corpus):
        near = search_run(request=SearchRequest(text="marché", scope="radius", radius_km=10,
                                                point=(47.31824, -2.07538)))
        assert titles(near) == ["Le marché des producteurs revient"]
        wide = search_run(request=SearchRequest(text="marché", scope="radius", radius_km=40,
                                                point=(47.31824, -2.07538)))
        assert len(wide.hits) == 2

    def test_past_events_hidden_unless_asked(self, backend, corpus):
        upcoming = search_run(request=SearchRequest(text="vide grenier", scope="all"))
        assert "Vide-grenier de l'école" in titles(upcoming)
        assert "Vide-grenier d'hiver" not in titles(upcoming)
        everything = search_run(request=SearchRequest(text="vide grenier", scope="all",
                                                      include_past_events=True))
        assert {"Vide-grenier de l'école", "Vide-grenier d'hiver"} <= set(titles(everything))

    def test_expired_alerts_hidden_unless_asked(self, backend, corpus, commune):
        now = timezone.now()
        make_alert(commune, title="Canicule : vigilance orange",
                   valid_from=now - dt.timedelta(days=60), valid_until=now - dt.timedelta(days=50))
        make_alert(commune, title="Canicule : points d'eau ouverts",
                   valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=2))
        make_alert(commune, title="Canicule : salle rafraîchie", valid_until=None)
        drain()
        current = search_run(request=SearchRequest(text="canicule", scope="all"))
        assert sorted(titles(current)) == ["Canicule : points d'eau ouverts",
                                           "Canicule : salle rafraîchie"]
        everything = search_run(request=SearchRequest(text="canicule", scope="all",
                                                      include_past_events=True))
        assert "Canicule : vigilance orange" in titles(everything)

    def test_facet_counts_stay_right_when_a_facet_is_selected(self, backend, corpus):
        results = search_run(request=SearchRequest(scope="all", kinds=("event",)))
        kinds = {bucket.value: bucket for bucket in results.facets["kind"]}
        assert kinds["event"].count == 2 and kinds["event"].selected
        assert kinds["news"].count == 2 and not kinds["news"].selected
        assert kinds["directory"].count == 2
        assert {hit.kind for hit in results.hits} == {"event"}
        communes = {bucket.value: bucket.count for bucket in results.facets["commune"]}
        assert communes == {"44052": 1, "44103": 1}
        categories = {bucket.value: bucket.label for bucket in results.facets["category"]}
        assert categories == {"culture": "Culture"}

    def test_category_and_date_filters(self, backend, corpus):
        results = search_run(request=SearchRequest(scope="all", categories=("culture",)))
        assert titles(results) == ["Vide-grenier de l'école"]
        month = search_run(request=SearchRequest(scope="all", dates="month"))
        assert set(titles(month)) == {"Vide-grenier de l'école", "Grande brocante du port"}
        dates = {bucket.value: bucket.count for bucket in month.facets["dates"]}
        assert dates["month"] == 2 and dates["week"] == 2 and dates["today"] == 0

    def test_date_facet_counts_events_overlapping_each_bucket(self, backend, corpus, commune):
        from django.utils import timezone

        from search.query import date_buckets
        from tests.factories import make_event

        now = timezone.now()
        running = make_event(commune, title="Exposition en cours",
                             start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=2))
        drain()
        results = search_run(request=SearchRequest(scope="all", kinds=("event",)))
        upcoming = [corpus["vide"], corpus["brocante"], running]
        expected = {name: sum(1 for event in upcoming if event.start < end and event.end >= start)
                    for name, (start, end) in date_buckets(now=now).items()}
        counts = {bucket.value: bucket.count for bucket in results.facets["dates"]}
        assert {name: counts.get(name, 0) for name in expected} == expected
        assert expected["today"] == 1 and expected["month"] == 3

    def test_snippets_mark_matches_and_escape_the_rest(self, backend, corpus, commune):
        from tests.factories import make_news

        make_news(commune, title="Sécurité <script>", lead="Attention <b>aux</b> "
                  "cambriolages & vols dans le quartier.")
        drain()
        results = search_run(request=SearchRequest(text="cambriolages", scope="all"))
        hit = results.hits[0]
        assert "<mark>" in hit.snippet_html and "cambriolages" in hit.snippet_html.lower()
        assert "<b>" not in hit.snippet_html and "<script>" not in hit.snippet_html
        assert "&amp;" in hit.snippet_html

    def test_unpublish_and_delete_leave_the_index(self, backend, corpus):
        corpus["foot"].unpublish()
        corpus["dechet"].delete()
        drain()
        assert search_run(request=SearchRequest(text="football", scope="all")).total == 0
        assert search_run(request=SearchRequest(text="dechetterie", scope="all")).total == 0

    def test_move_reindexes_the_new_commune(self, backend, corpus, neighbour_commune):
        from cms.content.models import NewsIndexPage
        from tests.factories import section

        corpus["marche"].move(section(neighbour_commune, NewsIndexPage), pos="last-child")
        drain()
        hit = search_run(request=SearchRequest(text="producteurs", scope="all")).hits[0]
        assert hit.commune_insee == "44103"

    def test_suggest_completes_titles(self, backend, corpus):
        suggestions = search_suggest(text="brocan", commune="44052")
        assert [s.title for s in suggestions] == ["Grande brocante du port"]
        assert suggestions[0].commune_name == "Montoir-de-Bretagne"

    def test_capabilities_are_declared(self, backend, corpus):
        results = search_run(request=SearchRequest(scope="all"))
        assert results.capabilities == backend.capabilities.as_dict()
        assert set(results.capabilities) >= {"fuzzy", "geo_distance", "synonyms"}

    def test_the_residents_commune_first_on_equal_matches(self, backend, commune,
                                                          neighbour_commune):
        # The same page in both communes; the neighbour's has the lower id.
        for page_id, home in ((910001, neighbour_commune), (910002, commune)):
            index_news(backend, home, id=page_id, title="Horaires de la mairie",
                       summary="L'accueil vous reçoit du lundi au samedi.")
        for home, first in ((commune, 910002), (neighbour_commune, 910001)):
            results = search_run(request=SearchRequest(text="horaires mairie",
                                                       commune=home.insee_code))
            assert [hit.id for hit in results.hits] == [first, 1820003 - first]

    def test_most_words_are_enough(self, backend, commune):
        # "acheter" is on no page: the eggs are found by the other word.
        index_news(backend, commune, id=910011, title="Œufs de plein air à la ferme")
        results = search_run(request=SearchRequest(text="où acheter des œufs",
                                                   commune=commune.insee_code))
        assert titles(results) == ["Œufs de plein air à la ferme"]

    def test_st_is_saint(self, backend, commune):
        index_news(backend, commune, id=910021, title="Le nouveau stade est ouvert")
        index_news(backend, commune, id=910022, title="Pèlerinage à Saint-Nazaire")
        results = search_run(request=SearchRequest(text="St Nazaire", scope="all"))
        assert titles(results) == ["Pèlerinage à Saint-Nazaire"]

    @pytest.mark.parametrize("text", [
        "", "x" * 500, 'AND OR NOT ( ) [ ] { } ^ ~ * ? : \\ / "', '"unbalanced', "🎉🎉 fête",
        "ctrl\x00\x07chars", "lone \ud800 surrogate", "Москва", "東京", "title:foo AND body:bar",
        "*", "-", "a" * 60,
    ])
    def test_any_text_gives_results_not_errors(self, backend, corpus, text):
        results = search_run(request=SearchRequest(text=text, scope="all"))
        assert results.total >= 0

    def test_too_long_text_is_a_request_error(self, backend, corpus):
        with pytest.raises(SearchRequestError) as error:
            search_run(request=SearchRequest(text="x" * 10_000))
        assert error.value.param == "q"


class FuzzyBehaviour:
    """Only for backends that declare `fuzzy`."""

    def test_typo_is_tolerated(self, backend, corpus):
        assert backend.capabilities.fuzzy
        results = search_run(request=SearchRequest(text="footbal", scope="all"))
        assert "Club de football de Montoir" in titles(results)

    def test_no_typo_on_words_under_five_letters(self, backend, corpus):
        # One letter off, a short word is another word: "porc" is not "port".
        results = search_run(request=SearchRequest(text="porc", scope="all"))
        assert "Grande brocante du port" not in titles(results)
        results = search_run(request=SearchRequest(text="port", scope="all"))
        assert "Grande brocante du port" in titles(results)


    def test_a_typo_match_never_beats_the_word_typed(self, backend, commune):
        # "passeront" is one letter pair from "passeport", and rarer: it scored twice the
        # page that holds the word itself.
        index_news(backend, commune, id=910031,
                   title="Recensement : les agents recenseurs passeront chez vous")
        index_news(backend, commune, id=910032, title="Horaires de la mairie",
                   summary="Cartes d'identité et passeport sur rendez-vous.")
        results = search_run(request=SearchRequest(text="passeport", scope="all"))
        assert titles(results)[0] == "Horaires de la mairie"

    def test_a_page_without_a_position_is_not_near(self, backend, commune,
                                                   neighbour_commune):
        # Two copies in a neighbour commune: the one with a position ranks first, even
        # with the lower score for distance the other never gets.
        index_news(backend, neighbour_commune, id=910041, title="Concert de l'harmonie")
        index_news(backend, neighbour_commune, id=910042, title="Concert de l'harmonie",
                   latitude=47.33, longitude=-2.15)
        results = search_run(request=SearchRequest(text="concert harmonie",
                                                   commune=commune.insee_code))
        assert [hit.id for hit in results.hits] == [910042, 910041]


class SynonymBehaviour:
    """Search-time synonyms (search/analysis/synonyms_fr.txt), on every backend."""

    def test_synonyms(self, backend, corpus):
        assert backend.capabilities.synonyms
        results = search_run(request=SearchRequest(text="brocante", scope="all"))
        assert {"Grande brocante du port", "Vide-grenier de l'école"} <= set(titles(results))
        # A synonym of several words, the other way round.
        results = search_run(request=SearchRequest(text="vide grenier", scope="all"))
        assert {"Grande brocante du port", "Vide-grenier de l'école"} <= set(titles(results))

    def test_synonyms_are_marked_in_snippets(self, backend, corpus, commune):
        index_news(backend, commune, id=987_656, title="Le grand déballage",
                   summary="Un vide-grenier sur le port.")
        results = search_run(request=SearchRequest(text="brocante", scope="all"))
        hit = next(hit for hit in results.hits if hit.title == "Le grand déballage")
        assert "<mark>vide</mark>-<mark>grenier</mark>" in hit.snippet_html

    def test_synonyms_change_without_reindexing(self, backend, corpus, monkeypatch):
        before = search_run(request=SearchRequest(text="kermesse", scope="all"))
        assert before.total == 0
        from search.synonyms import synonym_rules

        # The database backend's instance is shared by the tests: put its table back.
        monkeypatch.setattr(backend, "synonyms", backend.synonyms)
        backend.synonyms_update(rules=[*synonym_rules(), "kermesse, vide grenier"])
        after = search_run(request=SearchRequest(text="kermesse", scope="all"))
        assert "Vide-grenier de l'école" in titles(after)

    def test_synonyms_are_french_only(self, backend, corpus, commune):
        index_news(backend, commune, id=987_658, locale="en",
                   title="Vide grenier on the harbour", summary="Bargains.")
        # English pages alone (strict): the French corpus would answer through the
        # French fallback, with its own synonyms.
        english = search_run(request=SearchRequest(text="vide grenier", locale="en",
                                                   scope="all", strict_locale=True))
        assert titles(english) == ["Vide grenier on the harbour"]
        assert search_run(request=SearchRequest(text="brocante", locale="en", scope="all",
                                                strict_locale=True)).total == 0


class IndexingBehaviour:
    """Versioned writes, rebuild and reconcile, on every backend."""

    def _document(self, corpus, **overrides):
        from search.documents import SearchDocument

        values = {"id": corpus["marche"].pk, "version": 5, "locale": "fr", "kind": "news",
                  "title": "Titre récent", "commune": "44052", "commune_name": "Donges"}
        values.update(overrides)
        return SearchDocument(**values)

    def test_an_older_write_never_overwrites_a_newer_one(self, backend, corpus):
        backend.index_documents(documents=[self._document(corpus, version=10**9,
                                                          title="Titre récent")])
        backend.index_documents(documents=[self._document(corpus, version=10**9 - 1,
                                                          title="Titre périmé")])
        backend.refresh()
        assert search_run(request=SearchRequest(text="périmé", scope="all")).total == 0
        assert search_run(request=SearchRequest(text="récent", scope="all")).total == 1

    def test_items_shared_with_a_commune_are_in_its_scope(self, backend, corpus):
        far_item = self._document(corpus, id=corpus["far"].pk, version=10**9,
                                  title="Marché de nuit très loin", commune="44069",
                                  commune_name="Guérande", shared_with=["44052"])
        backend.index_documents(documents=[far_item])
        backend.refresh()
        own = search_run(request=SearchRequest(text="nuit", commune="44052", scope="commune"))
        assert [hit.title for hit in own.hits] == ["Marché de nuit très loin"]
        other = search_run(request=SearchRequest(text="nuit", commune="44103",
                                                 scope="commune"))
        assert other.total == 0

    def test_rebuild_swaps_in_a_complete_index(self, backend, corpus, commune):
        from search.maintenance import search_rebuild
        from tests.factories import make_news

        seen = []
        report = search_rebuild(progress=lambda done, total: seen.append((done, total)),
                                batch_size=3)
        assert report.indexed == len(corpus) and seen[-1] == (len(corpus), len(corpus))
        # Changed after the rebuild's snapshot: replayed, not lost.
        make_news(commune, title="Kermesse paroissiale")
        search_rebuild()
        assert search_run(request=SearchRequest(text="kermesse", scope="all")).total == 1
        assert search_run(request=SearchRequest(text="football", scope="all")).total == 1

    def test_reconcile_repairs_missing_and_stale_documents(self, backend, corpus):
        from search.maintenance import search_reconcile

        backend.purge(ids=[corpus["foot"].pk])
        backend.index_documents(documents=[self._document(corpus, id=987654, version=1,
                                                          title="Fantôme")])
        backend.refresh()
        report = search_reconcile(repair=True)
        assert report.missing == [corpus["foot"].pk] and report.stale == [987654]
        assert search_run(request=SearchRequest(text="football", scope="all")).total == 1
        assert search_run(request=SearchRequest(text="fantome", scope="all")).total == 0
        assert search_reconcile(repair=False).missing == []

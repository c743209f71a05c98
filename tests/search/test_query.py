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

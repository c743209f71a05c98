import pytest
from django.core.cache import cache

from cms.api import microcache
from tests.factories import CategoryFactory, make_commune


@pytest.fixture
def commune(db):
    """Donges, with its real official data."""
    return make_commune(
        insee_code="44052", name="Donges", population=8219, postcodes=["44480"],
        latitude=47.31824, longitude=-2.07538,
    )


@pytest.fixture
def neighbour_commune(db):
    """Montoir-de-Bretagne, 5.8 km from Donges, same EPCI (CARENE)."""
    return make_commune(
        insee_code="44103", name="Montoir-de-Bretagne", population=7129, postcodes=["44550"],
        latitude=47.33012, longitude=-2.15107,
    )


@pytest.fixture
def far_commune(db):
    """Guérande: 25 km from Donges, another EPCI (Cap Atlantique), same department."""
    return make_commune(insee_code="44069", name="Guérande", postcodes=["44350"],
                        latitude=47.32833, longitude=-2.42917, epci_code="244400586",
                        epci_name="Cap Atlantique", department_code="44")


@pytest.fixture
def culture(db):
    return CategoryFactory(slug="culture", name="Culture")


@pytest.fixture
def fresh_api_cache():
    """The API keeps rate-limit counters, the communes directory and lists in caches; rows
    of a rolled-back test must not outlive it (ids are reused): start and end clean."""
    cache.clear()
    microcache.clear()
    yield
    cache.clear()
    microcache.clear()

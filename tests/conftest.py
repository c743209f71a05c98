import pytest

from tests.factories import make_commune


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

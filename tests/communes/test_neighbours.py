"""commune_neighbours on the imported real extract (CARENE and its surroundings).

Distances are between GeoNames centroids (tests/data/geonames), from Donges:
Corsept 4.75 km, Montoir-de-Bretagne 5.86, Prinquiau 6.96, Trignac 8.56,
Saint-Malo-de-Guersac 8.65, Besné 9.16, Saint-Nazaire 10.17, Savenay 11.09,
Saint-Joachim 11.42, Saint-André-des-Eaux 17.77, La Chapelle-des-Marais 18.98,
Pornichet 20.61. Lavau-sur-Loire and Paimbœuf have no coordinates.
"""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction

from cms.communes.importing import communes_import
from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_neighbours

DATA = Path(__file__).resolve().parents[1] / "data"
CARENE_BEYOND_10_KM = [
    "Saint-Nazaire",
    "Saint-Joachim",
    "Saint-André-des-Eaux",
    "La Chapelle-des-Marais",
    "Pornichet",
]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """The extract, imported once for the module, in a transaction rolled back after it.

    Each test still runs in its own savepoint inside it (pytest-django's `db`)."""
    with django_db_blocker.unblock(), transaction.atomic():
        communes_import(
            departments=["44"],
            data_dir=DATA / "etalab",
            geonames_csv=DATA / "geonames" / "cities1000-extract.csv",
            # GeoNames' positions alone: Lavau-sur-Loire and Paimbœuf stay unplaced, the
            # cases these rules are about.
            centroids_csv=DATA / "centroids" / "none.csv",
        )
        yield
        transaction.set_rollback(True)
    cache.clear()  # Wagtail caches site root paths of sites that the rollback removed.


@pytest.fixture
def communes(imported) -> dict[str, CommuneHomePage]:
    """The extract, imported: communes by name."""
    return {commune.title: commune for commune in CommuneHomePage.objects.all()}


def names(neighbours) -> list[str]:
    return [neighbour.commune.title for neighbour in neighbours]


def test_within_10_km_plus_the_epci_nearest_first(communes):
    neighbours = commune_neighbours(commune=communes["Donges"], radius_km=10)

    assert names(neighbours) == [
        "Corsept",
        "Montoir-de-Bretagne",
        "Prinquiau",
        "Trignac",
        "Saint-Malo-de-Guersac",
        "Besné",
        *CARENE_BEYOND_10_KM,
    ]
    by_name = {n.commune.title: n for n in neighbours}
    assert by_name["Montoir-de-Bretagne"].distance_km == pytest.approx(5.86, abs=0.01)
    assert by_name["Pornichet"].distance_km == pytest.approx(20.61, abs=0.01)
    assert by_name["Pornichet"].same_epci
    # Across the Loire and in another EPCI: in by distance alone.
    assert not by_name["Corsept"].same_epci
    distances = [n.distance_km for n in neighbours]
    assert distances == sorted(distances)


def test_default_radius_is_the_setting(communes, settings):
    settings.CLOCHER_NEIGHBOUR_RADIUS_KM = 10.0

    assert names(commune_neighbours(commune=communes["Donges"])) == names(
        commune_neighbours(commune=communes["Donges"], radius_km=10)
    )


def test_commune_itself_is_not_its_neighbour(communes):
    assert "Donges" not in names(commune_neighbours(commune=communes["Donges"], radius_km=50))


@pytest.mark.parametrize(
    ("radius_km", "outside_the_epci"),
    [
        (0, []),
        (5, ["Corsept"]),
        (11, ["Corsept", "Prinquiau"]),  # Savenay is 11.09 km away
        (11.1, ["Corsept", "Prinquiau", "Savenay"]),
        (50, ["Corsept", "Prinquiau", "Savenay"]),  # Lavau and Paimbœuf have no position
    ],
)
def test_radius_changes_who_is_in_but_never_the_epci(communes, radius_km, outside_the_epci):
    neighbours = commune_neighbours(commune=communes["Donges"], radius_km=radius_km)

    assert sorted(n.commune.title for n in neighbours if not n.same_epci) == outside_the_epci
    assert len([n for n in neighbours if n.same_epci]) == 9  # all of the CARENE but Donges


def test_savenay_at_10_km_and_at_15_km(communes):
    assert "Savenay" not in names(commune_neighbours(commune=communes["Donges"], radius_km=10))
    assert "Savenay" in names(commune_neighbours(commune=communes["Donges"], radius_km=15))


def test_commune_without_coordinates_still_gets_its_epci(communes):
    lavau = communes["Lavau-sur-Loire"]
    assert not lavau.has_position

    neighbours = commune_neighbours(commune=lavau, radius_km=50)

    assert names(neighbours) == ["Prinquiau", "Savenay"]  # CC Estuaire et Sillon, by name
    assert all(n.same_epci and n.distance_km is None for n in neighbours)


def test_epci_members_without_coordinates_come_last(communes):
    neighbours = commune_neighbours(commune=communes["Savenay"], radius_km=10)

    assert names(neighbours) == ["Prinquiau", "Lavau-sur-Loire"]
    assert neighbours[0].distance_km == pytest.approx(5.08, abs=0.01)
    assert neighbours[1].distance_km is None


def test_commune_without_coordinates_outside_the_epci_is_never_near(communes):
    # Paimbœuf is 5 km from Donges on the map, but has no centroid to measure.
    assert "Paimbœuf" not in names(commune_neighbours(commune=communes["Donges"], radius_km=50))
    assert names(commune_neighbours(commune=communes["Paimbœuf"], radius_km=50)) == ["Corsept"]


def test_negative_radius_is_refused(communes):
    with pytest.raises(ValueError, match="radius_km"):
        commune_neighbours(commune=communes["Donges"], radius_km=-1)

import pytest
from django.core.cache import cache

from cms.api import microcache
from tests import clock
from tests.factories import CategoryFactory
from tests.world import shared_communes, sort_key, wanted


def pytest_configure(config):
    clock.shift_start(config)


def pytest_report_header(config):
    return clock.header()


def pytest_collection_modifyitems(items):
    # After pytest-django's own sort (tryfirst); the sort is stable.
    items.sort(key=sort_key)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname == "_django_db_helper":
        # pytest-django's per-test transaction (a savepoint) opens inside the shared one.
        shared_communes.enter(request.node, request.getfixturevalue("django_db_blocker"))
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if wanted(nextitem) != shared_communes.names:
        shared_communes.leave()
    return result


@pytest.fixture
def commune(db):
    """Donges, with its real official data (shared: tests/world.py)."""
    return shared_communes.get("commune")


@pytest.fixture
def neighbour_commune(db):
    """Montoir-de-Bretagne, 5.8 km from Donges, same EPCI (CARENE)."""
    return shared_communes.get("neighbour_commune")


@pytest.fixture
def far_commune(db):
    """Guérande: 25 km from Donges, another EPCI (Cap Atlantique), same department."""
    return shared_communes.get("far_commune")


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

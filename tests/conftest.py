import os

import pytest
from django.core.cache import cache

from cms.api import microcache
from tests import clock
from tests.factories import CategoryFactory
from tests.world import is_transactional, shared_communes, sort_key, wanted


def pytest_configure(config):
    clock.shift_start(config)


def pytest_report_header(config):
    return clock.header()


def pytest_sessionfinish(session, exitstatus):
    """Write pytest's own exit status and counts where .ci/run's summary reads them
    (through make, any failure is make's status 2; 5 means no test was collected)."""
    path = os.environ.get("CLOCHER_TEST_STATUS_FILE")
    if not path or hasattr(session.config, "workerinput"):  # pytest-xdist: the controller
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    counts = {key: len(reporter.stats.get(key, [])) for key in
              ("passed", "failed", "error", "skipped", "xfailed", "xpassed")} if reporter else {}
    summary = ", ".join(f"{number} {key}" for key, number in counts.items() if number)
    with open(path, "w") as file:
        file.write(f"{int(exitstatus)} {summary or 'no tests'}\n")


def pytest_itemcollected(item):
    # pytest-xdist (--dist loadgroup): the tests sharing a class- or module-wide fixture of
    # ours (test_seed's demo, seeded in ~30 s) run in one worker, which builds it once.
    # xdist sends a group where its first test stands: a group never mixes transactional
    # tests (they empty the database, so they run last) with the others.
    shared = [definition for definitions in item._fixtureinfo.name2fixturedefs.values()
              for definition in definitions
              if definition.scope in ("class", "module") and definition.baseid]
    if shared:
        node = item.getparent(pytest.Class if shared[-1].scope == "class" else pytest.Module)
        kind = "transactional" if is_transactional(item) else "db"
        item.add_marker(pytest.mark.xdist_group(f"{(node or item.parent).nodeid}:{kind}"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # After pytest-django's own sort, which sort_key keeps. The two-instance test uses no
    # test database and takes minutes: first, so that pytest-xdist's other worker runs the
    # rest meanwhile instead of waiting for it at the end.
    items.sort(key=lambda item: (item.get_closest_marker("federation_e2e") is None,
                                 sort_key(item)))


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

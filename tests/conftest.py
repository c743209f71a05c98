import os

import pytest
from django.core.cache import cache

from cms.readmodel import microcache
from tests import clock
from tests.demo import shared_demo, wants_demo
from tests.factories import CategoryFactory
from tests.world import is_transactional, shared_communes, sort_key, wanted


def pytest_configure(config):
    clock.shift_start(config)
    worker_redis_database(config)


def worker_redis_database(config) -> None:
    """Give each pytest-xdist worker its own Redis database: REDIS_URL's /<n> plus N for gwN.

    The shared-cache tests (tests/core/test_cache.py) empty the Redis database they use
    (FLUSHDB) and count rate limits under fixed keys: two workers on one database would
    erase each other's counts."""
    url = os.environ.get("REDIS_URL")
    worker = getattr(config, "workerinput", {}).get("workerid", "")
    if not url or not worker.startswith("gw"):
        return
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{database}"))


def pytest_report_header(config):
    return clock.header()


def pytest_terminal_summary(terminalreporter, config):
    """With --durations: the files that took longest, all their tests and phases summed
    (CI's time goes to a few files; this says which, beside pytest's slowest tests)."""
    if not config.option.durations:
        return
    files: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                path = report.nodeid.split("::", 1)[0]
                files[path] = files.get(path, 0.0) + report.duration
    slowest = sorted(files.items(), key=lambda item: item[1], reverse=True)
    terminalreporter.write_sep("=", f"slowest {config.option.durations} files "
                                    f"(of {sum(files.values()):.0f} s in tests)")
    for path, seconds in slowest[:config.option.durations]:
        terminalreporter.write_line(f"{seconds:8.2f}s {path}")


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


# The tests where the database vendor matters (marked db_vendor): they exercise code whose
# SQL differs between PostgreSQL and SQLite. CI runs every test on PostgreSQL and these
# again on SQLite (.ci/run). A test of code that branches on connection.vendor or its
# features, writes raw SQL, locks rows (select_for_update, skip_locked) or inserts in bulk
# belongs here (a node id prefix, and why).
DB_VENDOR_TESTS = {
    "tests/api/test_items.py": "the list payloads' SQL per vendor (ListPayloadText)",
    "tests/api/test_queries.py": "the same lists' query counts",
    "tests/api/test_changes.py": "the change feed's numbering under a row lock",
    "tests/api/test_keys.py": "key usage counted under a row lock",
    "tests/api/test_hostile_routes.py": "integer overflow at the database (20-digit ids)",
    "tests/api/test_bad_input.py": "hostile parameters reaching the SQL",
    "tests/api/test_rate_limits.py": "the database counters' INSERT ... ON CONFLICT ... "
                                     "RETURNING (cms/core/ratelimit.py)",
    "tests/publishing/test_outbox.py": "the outbox claims rows with select_for_update(skip_locked)",
    "tests/search/test_database.py": "the database backend (PostgreSQL full text, SQLite "
                                     "containment), its bulk upsert, the GIN index migration",
    "tests/search/test_api.py": "search answered by the database backend",
    "tests/search/test_query.py": "the database backend's scoring",
    "tests/search/test_outbox.py": "the database backend's bulk upsert from the outbox",
    "tests/federation/test_ap_inbound": "the inbox's raw INSERT ... ON CONFLICT, "
                                        "mirror_bulk's multi-row inserts and row locks",
    "tests/federation/test_ap_inbox_security.py": "replays caught by the unique insert",
    "tests/federation/test_ap_ownership.py": "one owner per object: a partial unique "
                                             "constraint, rows locked per object",
    "tests/federation/test_ap_delivery.py": "deliveries claimed with skip_locked",
    "tests/federation/test_ap_claims.py": "inbox messages claimed with skip_locked",
    "tests/federation/test_ap_retention.py": "retention deletes in batches",
    "tests/core/test_worker.py": "the loop's row claims; SQLite locks whole tables",
    "tests/core/test_cache.py": "the database cache table",
    "tests/core/test_postgres.py": "the PostgreSQL-only psycopg dumper, skipped elsewhere",
    "tests/content/test_seed.py::TestScaleDemo": "cms/content/bulk.py's multi-row inserts",
    "tests/notify/test_fanout.py": "deliveries inserted in bulk, ignoring conflicts",
    "tests/notify/test_email_smtp.py": "deliveries claimed with skip_locked",
    "tests/notify/test_sms.py": "the monthly cap: a conditional UPDATE two workers race on",
}


def pytest_itemcollected(item):
    if item.nodeid.startswith(tuple(DB_VENDOR_TESTS)):
        item.add_marker(pytest.mark.db_vendor)
    # pytest-xdist (--dist loadgroup): the tests sharing a class- or module-wide fixture of
    # ours (test_seed's demo, seeded in ~30 s) run in one worker, which builds it once.
    # A transactional test is never grouped: its flush empties the tables (locales, root
    # page) that every later database test of its process needs, so it must run after
    # them, as pytest-django orders one process. xdist sends groups first, largest first
    # (--loadscope-reorder, its default), then the single tests in collection order, where
    # transactional tests come after every database test (sort_key).
    if is_transactional(item):
        return
    if item.get_closest_marker("federation_e2e"):
        # The live-instance tests share one migrated database template per process
        # (tests/federation/e2e/instances.py): one worker runs them all.
        item.add_marker(pytest.mark.xdist_group("federation_e2e"))
        return
    if wants_demo(item):
        item.add_marker(pytest.mark.xdist_group("demo"))  # seeded once: tests/demo.py
        return
    shared = [definition for definitions in item._fixtureinfo.name2fixturedefs.values()
              for definition in definitions
              if definition.scope in ("class", "module") and definition.baseid]
    if shared:
        node = item.getparent(pytest.Class if shared[-1].scope == "class" else pytest.Module)
        item.add_marker(pytest.mark.xdist_group((node or item.parent).nodeid))


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
        flush_order_check(request.node)
        shared_demo.enter(request.node, request.getfixturevalue("django_db_blocker"))
        # pytest-django's per-test transaction (a savepoint) opens inside the shared one.
        shared_communes.enter(request.node, request.getfixturevalue("django_db_blocker"))
    return (yield)


_flushed_by: str | None = None


def flush_order_check(item: pytest.Item) -> None:
    """Fail a database test that runs after a transactional one in the same process.

    A transactional test ends with a flush (serialized_rollback reloads the migrations'
    rows before it, not after): a test in a transaction after it would find no locale,
    no root page, and fail far from the cause, or pass on an empty database."""
    global _flushed_by
    if is_transactional(item):
        _flushed_by = _flushed_by or item.nodeid
    elif _flushed_by is not None:
        pytest.fail(f"{_flushed_by} ran before this test in this process and emptied the "
                    "database: transactional tests must run last (tests/conftest.py)",
                    pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if wanted(nextitem) != shared_communes.names:
        shared_communes.leave()
    if not wants_demo(nextitem):
        shared_demo.leave()
    return result


@pytest.fixture
def demo(db):
    """The realistic demo, seeded twice (shared: tests/demo.py); its seeding outputs and
    counts after each run."""
    return shared_demo.value


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

"""`manage.py search_rebuild` on a `make run` install: a real process, the development
settings, a fresh SQLite database, migrated and seeded, and the database search backend.

`make run` once failed here: the command imports tqdm, which nothing declared
(tests/core/test_dependencies.py checks declarations; this runs the command itself).
The migrated database is the two-instance tests' template (tests/federation/e2e), made
once per test process.
"""

import pytest

from tests.demo import SOURCES
from tests.federation.e2e.instances import Instance, migrated_copy

# In the live-instance tests' xdist group: the same process copies the same migrated
# template instead of migrating again (~40 s).
pytestmark = pytest.mark.federation_e2e


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory) -> Instance:
    tmp = tmp_path_factory.mktemp("make-run")
    instance = Instance("make-run", tmp, 0, [])
    for name in ("CLOCHER_SEARCH_BACKEND", "ELASTICSEARCH_URL", "OPENSEARCH_URL"):
        instance.env.pop(name, None)
    migrated_copy(instance, template=tmp.parent / "migrated.sqlite3")
    # A small scale demo (bulk-inserted: seconds, where the realistic one takes minutes in
    # a subprocess), then the read model that the index is built from, as the worker or
    # `rebuild_api_items` fills it.
    instance.manage("seed_demo", "--communes", "2", "--pages-per-commune", "10", *SOURCES,
                    timeout=300)
    instance.manage("rebuild_api_items", timeout=300)
    return instance


def test_search_rebuild_works_on_a_fresh_install(fresh_install):
    # The embedded default: no search node, as `make run` starts none.
    backend = fresh_install.shell("from search.backends import get_search_backend; "
                                  "print(type(get_search_backend()).__name__)")
    assert backend.splitlines()[-1] == "DatabaseSearchBackend"

    out = fresh_install.manage("search_rebuild", timeout=300)

    indexed = int(out.split("indexed ", 1)[1].split(" ", 1)[0])
    assert indexed >= 20, out  # the demo's pages, at least
    assert out.rstrip().endswith("aliases swapped")
    count = fresh_install.shell(
        "from search.models import SearchEntry; print(SearchEntry.objects.count())")
    assert int(count.splitlines()[-1]) == indexed


"""The shared communes: built once for a run of tests that ask for the same ones.

A commune costs ~389 queries to create (page, five sections, Site, groups,
collection, workflow: cms.communes.services.commune_upsert), and most tests ask
for one to three of the same few. Tests that ask for the same set of shared
communes run one after another (`sort_key`); the set is created once, in a
transaction left open around them, and each test runs in a savepoint inside it
(pytest-django's `db`) that is rolled back after the test: what Django's
`TestCase.setUpTestData` does for a class. The transaction is rolled back when
the next test needs another set, so a test never sees a commune it did not ask
for, and tests that ask for none see the database the migrations left.

Transactional tests (`transaction=True`, `live_server`) commit, so they cannot
run inside that transaction: their communes are created for each test, as
before. So are the communes of a test that runs inside a transaction opened by
a wider fixture (tests/content/test_seed.py's `demo`).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from tests.demo import wants_demo
from tests.factories import make_commune

# Fixture name -> make_commune() arguments; the order is the order of creation.
SHARED_COMMUNES = {
    # Donges, with its real official data.
    "commune": {"insee_code": "44052", "name": "Donges", "population": 8219,
                "postcodes": ["44480"], "latitude": 47.31824, "longitude": -2.07538},
    # Montoir-de-Bretagne, 5.8 km from Donges, same EPCI (CARENE).
    "neighbour_commune": {"insee_code": "44103", "name": "Montoir-de-Bretagne",
                          "population": 7129, "postcodes": ["44550"],
                          "latitude": 47.33012, "longitude": -2.15107},
    # Guérande: 25 km from Donges, another EPCI (Cap Atlantique), same department.
    "far_commune": {"insee_code": "44069", "name": "Guérande", "postcodes": ["44350"],
                    "latitude": 47.32833, "longitude": -2.42917, "epci_code": "244400586",
                    "epci_name": "Cap Atlantique", "department_code": "44"},
    # Donges as the ActivityPub tests have always built it (tests/federation/e2e/fixtures.py).
    "ap_commune": {"insee_code": "44052", "name": "Donges", "latitude": 47.31824,
                   "longitude": -2.07538},
}


def is_transactional(item: pytest.Item) -> bool:
    """Whether pytest-django runs this test in a TransactionTestCase (it commits)."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        from pytest_django.fixtures import validate_django_db

        transaction_, reset_sequences, *_ = validate_django_db(marker)
        if transaction_ or reset_sequences:
            return True
    return any(name in names for name in
               ("transactional_db", "live_server", "django_db_reset_sequences"))


def uses_db(item: pytest.Item) -> bool:
    cls = getattr(item, "cls", None)
    if cls is not None:
        from django.test import TransactionTestCase

        if issubclass(cls, TransactionTestCase):
            return True
    return (item.get_closest_marker("django_db") is not None
            or "db" in getattr(item, "fixturenames", ()))


def wanted(item: pytest.Item | None) -> tuple[str, ...]:
    """The shared communes this test asks for (directly or through other fixtures)."""
    if item is None or getattr(item, "cls", None) is not None and _is_django_test_case(item):
        return ()
    names = getattr(item, "fixturenames", ())
    if not any(name in names for name in SHARED_COMMUNES) or is_transactional(item):
        return ()
    chosen = tuple(name for name in SHARED_COMMUNES if name in names)
    if "commune" in chosen and "ap_commune" in chosen:
        # Both are Donges (INSEE 44052): the second would update the first. Share
        # `commune`; `ap_commune` then updates it inside the test, as it always did.
        chosen = tuple(name for name in chosen if name != "ap_commune")
    return chosen


def _is_django_test_case(item: pytest.Item) -> bool:
    from django.test import SimpleTestCase

    return issubclass(item.cls, SimpleTestCase)


def sort_key(item: pytest.Item) -> tuple:
    """Keep pytest-django's order (database tests, transactional ones, the others);
    among database tests, put those asking for the same shared communes together."""
    if is_transactional(item):
        return (1, ())
    if not uses_db(item):
        return (2, ())
    names = list(SHARED_COMMUNES)
    if wants_demo(item):
        return (0, (len(names),))  # after every set of shared communes (tests/demo.py)
    return (0, tuple(names.index(name) for name in wanted(item)))


class SharedCommunes:
    """The open transaction holding the shared communes of the current tests."""

    def __init__(self) -> None:
        self.names: tuple[str, ...] = ()
        self.pks: dict[str, int] = {}
        self._atomic = None
        self._blocker = None

    def enter(self, item: pytest.Item, django_db_blocker) -> None:
        """Before the test's own transaction: make the shared set the one it asks for."""
        names = wanted(item)
        if names == self.names:
            return
        self.leave()
        if not names:
            return
        self._blocker = django_db_blocker
        with django_db_blocker.unblock():
            if connection.in_atomic_block:
                return  # inside a wider fixture's transaction: build per test, as before
            atomic = transaction.atomic()
            atomic.__enter__()
            # As Django's own class-wide atomics: a durable block may open inside a test.
            atomic._from_testcase = True
            self._atomic = atomic
            self.names = names
            self.pks = {name: make_commune(**SHARED_COMMUNES[name]).pk for name in names}

    def leave(self) -> None:
        """Roll the shared communes back (the test's own savepoint is already gone)."""
        if self._atomic is None:
            return
        atomic, self._atomic, self.names, self.pks = self._atomic, None, (), {}
        with self._blocker.unblock():
            if not connection.atomic_blocks or connection.atomic_blocks[-1] is not atomic:
                raise RuntimeError("the shared communes' transaction is not the innermost "
                                   "one: a fixture left a transaction open")
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            # Wagtail caches the site root paths of the Sites the rollback removed.
            cache.clear()

    def get(self, name: str):
        """Return a fresh copy of a shared commune, or create it (transactional tests)."""
        from cms.communes.models import CommuneHomePage

        if name in self.pks:
            return CommuneHomePage.objects.get(pk=self.pks[name])
        return make_commune(**SHARED_COMMUNES[name])


shared_communes = SharedCommunes()

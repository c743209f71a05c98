"""The realistic demo, seeded once per test process for every test that asks for `demo`.

Seeding (`seed_demo` on the real Etalab/GeoNames extract) takes a minute, and two
modules need it: tests/content/test_seed.py checks what it builds, and
tests/search/test_relevance.py scores search over it. As tests/world.py does for the
shared communes, the demo is seeded in a transaction opened before the first such
test's own one (pytest-django's savepoint), and rolled back when the next test does not
ask for it; the tests that ask for it run one after another in one process
(tests/conftest.py: `sort_key`, the `demo` xdist group). It is seeded twice, so that a
test can check the second run adds nothing.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from types import SimpleNamespace

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction

DATA = Path(__file__).resolve().parent / "data"
SOURCES = ["--data-dir", str(DATA / "etalab"),
           "--geonames", str(DATA / "geonames" / "cities1000-extract.csv")]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, *SOURCES, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from wagtail.models import Page, Revision
    from wagtail_localize.models import Translation

    from cms.communes.models import CommuneHomePage
    from cms.content.models import (
        AlertPage,
        Category,
        DirectoryEntryPage,
        EventPage,
        InfoPage,
        NewsPage,
    )

    models = (NewsPage, EventPage, AlertPage, InfoPage, DirectoryEntryPage)
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "communes": CommuneHomePage.objects.count(),
        "categories": Category.objects.count(),
        "users": get_user_model().objects.count(),
        "translations": Translation.objects.count(),
        **{model.__name__: model.objects.count() for model in models},
    }


def wants_demo(item) -> bool:
    return "demo" in getattr(item, "fixturenames", ())


class SharedDemo:
    """The open transaction holding the seeded demo of the current tests."""

    def __init__(self) -> None:
        self.value: SimpleNamespace | None = None
        self._atomic = None
        self._blocker = None

    def enter(self, item, django_db_blocker) -> None:
        """Before the test's own transaction: seed the demo unless it is already there."""
        if not wants_demo(item) or self.value is not None:
            return
        with django_db_blocker.unblock():
            if connection.in_atomic_block:
                raise RuntimeError("the demo needs its own transaction: a shared set of "
                                   "communes or a wider fixture is open (tests/demo.py)")
            atomic = transaction.atomic()
            atomic.__enter__()
            atomic._from_testcase = True  # as Django's class-wide atomics
            self._atomic, self._blocker = atomic, django_db_blocker
            first_output = seed()
            first = counts()
            second_output = seed()
            self.value = SimpleNamespace(first_output=first_output, first=first,
                                         second_output=second_output, second=counts())

    def leave(self) -> None:
        """Roll the demo back (the test's own savepoint is already gone)."""
        if self._atomic is None:
            return
        atomic, self._atomic, self.value = self._atomic, None, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        cache.clear()  # Wagtail caches site root paths of sites that the rollback removed.


shared_demo = SharedDemo()

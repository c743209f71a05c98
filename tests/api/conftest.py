import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.api import microcache
from cms.content.models import (
    AlertIndexPage,
    DirectoryIndexPage,
    EventIndexPage,
    InfoIndexPage,
    NewsIndexPage,
)
from tests.factories import (
    AlertPageFactory,
    CategoryFactory,
    DirectoryEntryPageFactory,
    EventPageFactory,
    InfoPageFactory,
    NewsPageFactory,
    section,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and the communes directory live in the cache; rows of a
    # rolled-back test must not outlive it in the micro-cache (ids are reused).
    cache.clear()
    microcache.clear()
    yield
    cache.clear()
    microcache.clear()


@pytest.fixture
def api(client):
    """A Django test client that returns parsed JSON as `response.json()`."""
    return client


def publish(page):
    """Publish through Wagtail's revision flow (fires page_published)."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_event(commune, **kwargs):
    return EventPageFactory(parent=section(commune, EventIndexPage), **kwargs)


def make_news(commune, **kwargs):
    return NewsPageFactory(parent=section(commune, NewsIndexPage), **kwargs)


def make_alert(commune, **kwargs):
    return AlertPageFactory(parent=section(commune, AlertIndexPage), **kwargs)


def make_info(commune, **kwargs):
    return InfoPageFactory(parent=section(commune, InfoIndexPage), **kwargs)


def make_directory(commune, **kwargs):
    return DirectoryEntryPageFactory(parent=section(commune, DirectoryIndexPage), **kwargs)


def soon(days=1, hours=0):
    return timezone.now() + dt.timedelta(days=days, hours=hours)


@pytest.fixture
def far_commune(db):
    """Guérande: 25 km from Donges, another EPCI (Cap Atlantique)."""
    from tests.factories import make_commune

    return make_commune(insee_code="44069", name="Guérande", postcodes=["44350"],
                        latitude=47.32833, longitude=-2.42917, epci_code="244400586",
                        epci_name="Cap Atlantique", department_code="44")


@pytest.fixture
def culture(db):
    return CategoryFactory(slug="culture", name="Culture")

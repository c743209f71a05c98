"""Fixtures of the federation tests. Sharing fixtures first; ActivityPub may append."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from cms.api import microcache
from cms.communes.roles import CommuneRole, user_add_to_role
from cms.content.models import (
    AlertIndexPage,
    EventIndexPage,
    NewsIndexPage,
)
from federation.models import SharingPolicy
from tests.factories import (
    AlertPageFactory,
    CategoryFactory,
    EventPageFactory,
    NewsPageFactory,
    make_commune,
    section,
)

# --- sharing inside one deployment ---------------------------------------------------


@pytest.fixture
def fresh_api_cache():
    """The API keeps the communes directory and lists in caches: start each test clean."""
    cache.clear()
    microcache.clear()
    yield
    cache.clear()
    microcache.clear()


@pytest.fixture
def far_commune(db):
    """Guérande: 25 km from Donges, another EPCI (Cap Atlantique), same department."""
    return make_commune(insee_code="44069", name="Guérande", postcodes=["44350"],
                        latitude=47.32833, longitude=-2.42917, epci_code="244400586",
                        epci_name="Cap Atlantique", department_code="44")


@pytest.fixture
def culture(db):
    return CategoryFactory(slug="culture", name="Culture")


def sharing_policy(commune, *, kinds=("news", "event", "alert"), radius_km=10.0,
                   categories=(), named=(), epci=False, department=False,
                   default_acceptance="review"):
    """Set a commune's sharing rules directly (the admin goes through the service)."""
    policy, _created = SharingPolicy.objects.update_or_create(
        commune=commune, defaults={
            "kinds": list(kinds), "radius_km": radius_km, "share_with_epci": epci,
            "share_with_department": department, "default_acceptance": default_acceptance})
    policy.categories.set(categories)
    policy.named_communes.set(named)
    return policy


def publish(page):
    """Publish through Wagtail's revision flow (fires page_published)."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_news(commune, **kwargs):
    return NewsPageFactory(parent=section(commune, NewsIndexPage), **kwargs)


def make_event(commune, **kwargs):
    return EventPageFactory(parent=section(commune, EventIndexPage), **kwargs)


def make_alert(commune, **kwargs):
    return AlertPageFactory(parent=section(commune, AlertIndexPage), **kwargs)


def communicant(commune, username):
    user = get_user_model().objects.create_user(username=username, password="x")  # noqa: S106
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    return user


# ActivityPub fixtures (tests/federation/test_ap_*.py).
from tests.federation.e2e.fixtures import ap_commune, peer  # noqa: E402,F401

import pytest
from django.core.cache import cache

from .content import build_site_content

HOST = "donges.localhost"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_content(commune, neighbour_commune):
    """Donges with a little of everything, and an event in Montoir (a neighbour)."""
    return build_site_content(commune, neighbour_commune)

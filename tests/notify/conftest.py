import pytest
from django.core.cache import cache
from django.utils import timezone

from notify.models import Subscriber


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache: each test starts with none.
    cache.clear()
    yield
    cache.clear()


def subscriber(*communes, email="habitant@example.org", confirmed=True, **fields):
    """A subscriber as the confirmed sign-up leaves it."""
    row = Subscriber.objects.create(
        email=email, email_confirmed_at=timezone.now() if confirmed and email else None,
        **fields)
    row.communes.set(communes)
    return row

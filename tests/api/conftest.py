import pytest


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_api_cache):
    """Every API test starts and ends with empty caches (tests/conftest.py)."""
    yield


@pytest.fixture
def api(client):
    """A Django test client that returns parsed JSON as `response.json()`."""
    return client

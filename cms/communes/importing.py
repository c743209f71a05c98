"""Import official commune data (Etalab + centroids by code) into communes, all or nothing."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Locale

from . import sources
from .models import CommuneHomePage
from .services import CommuneData, commune_upsert
from .sources import OfficialCommune, SourceError

# What an import may change on a commune, to tell "updated" from "unchanged".
OFFICIAL_FIELDS = (
    "title",
    "population",
    "postcodes",
    "department_code",
    "department_name",
    "epci_code",
    "epci_name",
    "latitude",
    "longitude",
)


@dataclass(frozen=True, kw_only=True)
class UnplacedCommune:
    """A commune imported without coordinates, and why."""

    insee_code: str
    name: str
    reason: str


@dataclass(kw_only=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_coordinates: list[UnplacedCommune] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def with_coordinates(self) -> int:
        return self.total - len(self.without_coordinates)

    @property
    def coverage(self) -> str:
        """"n / total (p %)" of the imported communes that have coordinates."""
        share = 100 * self.with_coordinates / self.total if self.total else 100.0
        # Never round 99.97 % up to 100 %: 100 % means every commune.
        shown = f"{share:.1f}" if share == 100 or share < 99.95 else "99.9"
        return f"{self.with_coordinates} / {self.total} ({shown} %)"


def communes_import(
    *,
    insee_codes: list[str] | None = None,
    departments: list[str] | None = None,
    data_dir: Path | None = None,
    geonames_csv: Path | None = None,
    centroids_csv: Path | None = None,
) -> ImportReport:
    """Create or update the communes named by INSEE code or department, all or nothing.

    Every source is read and checked before the first write; the writes share one
    transaction, so bad input, an unknown code or a commune the models refuse leaves
    the database as it was. Raises ValueError for malformed or missing codes and
    SourceError for anything wrong with the data.
    """
    wanted_codes = _codes(insee_codes, pattern=sources.INSEE_CODE, what="INSEE code")
    wanted_departments = _codes(
        departments, pattern=sources.DEPARTMENT_CODE, what="department code"
    )
    if not wanted_codes and not wanted_departments:
        # Importing the whole of France (35,000 sites) is never what a typo meant.
        raise ValueError("Name at least one department or INSEE code to import.")

    official = sources.parse(
        data_dir=Path(data_dir or settings.CLOCHER_ETALAB_DATA_DIR),
        geonames_csv=Path(
            geonames_csv or settings.CLOCHER_GEONAMES_CSV or sources.geonames_default_csv()
        ),
        centroids_csv=centroids_csv or settings.CLOCHER_CENTROIDS_CSV or None,
    )
    selected = _select(official, insee_codes=wanted_codes, departments=wanted_departments)

    report = ImportReport()
    with transaction.atomic():
        before = {
            row["insee_code"]: row
            for row in CommuneHomePage.objects.filter(
                locale=Locale.get_default(), insee_code__in=[c.insee_code for c in selected]
            ).values("insee_code", *OFFICIAL_FIELDS)
        }
        for commune in selected:
            existing = before.get(commune.insee_code)
            data = _commune_data(commune, existing=existing)
            try:
                page, created = commune_upsert(data=data)
            except ValidationError as exc:
                # Raised inside the transaction: the communes written so far roll back too.
                raise SourceError(
                    f"Commune {commune.insee_code} ({commune.name}) was refused: {_describe(exc)}"
                ) from exc
            if created:
                report.created += 1
            elif existing is None or any(
                getattr(page, name) != existing[name] for name in OFFICIAL_FIELDS
            ):
                report.updated += 1
            else:
                report.unchanged += 1
            if data.latitude is None:
                report.without_coordinates.append(
                    UnplacedCommune(
                        insee_code=commune.insee_code,
                        name=commune.name,
                        reason=commune.position_problem,
                    )
                )
    return report


def _codes(values: Iterable[str] | None, *, pattern: re.Pattern[str], what: str) -> set[str]:
    codes = {value.strip().upper() for value in values or [] if value.strip()}
    malformed = sorted(code for code in codes if not pattern.fullmatch(code))
    if malformed:
        raise ValueError(f"Invalid {what}(s): {', '.join(malformed)}.")
    return codes


def _select(
    official: dict[str, OfficialCommune], *, insee_codes: set[str], departments: set[str]
) -> list[OfficialCommune]:
    unknown = sorted(insee_codes - official.keys())
    if unknown:
        raise SourceError(
            f"Unknown INSEE code(s), not current communes in communes.json: {', '.join(unknown)}."
        )
    selected = {code: official[code] for code in insee_codes}
    found_departments = set()
    for code, commune in official.items():
        if commune.department_code in departments:
            selected[code] = commune
            found_departments.add(commune.department_code)
    empty = sorted(departments - found_departments)
    if empty:
        raise SourceError(
            f"No current commune in department(s) {', '.join(empty)} in communes.json."
        )
    return [selected[code] for code in sorted(selected)]


def _commune_data(commune: OfficialCommune, *, existing: dict[str, Any] | None) -> CommuneData:
    latitude, longitude = commune.latitude, commune.longitude
    if not commune.has_position and existing and existing["latitude"] is not None:
        # No centroid and no GeoNames place: keep a position an editor set by hand.
        latitude, longitude = existing["latitude"], existing["longitude"]
    return CommuneData(
        insee_code=commune.insee_code,
        name=commune.name,
        population=commune.population,
        postcodes=list(commune.postcodes),
        department_code=commune.department_code,
        department_name=commune.department_name,
        epci_code=commune.epci_code,
        epci_name=commune.epci_name,
        latitude=latitude,
        longitude=longitude,
    )


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)

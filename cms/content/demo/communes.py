"""Which real communes the demo imports; the import itself is `communes_import`'s."""

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from wagtail.models import Locale

from cms.communes import sources
from cms.communes.importing import ImportReport, communes_import
from cms.communes.models import CommuneHomePage
from cms.communes.selectors import distance_km

DONGES = "44052"

# Donges first (the showcase), then CARENE (EPCI 244400644) communes and the
# neighbours across the Brivet and the estuary.
DEFAULT_INSEE_CODES = [
    DONGES,
    "44103",  # Montoir-de-Bretagne (CARENE)
    "44210",  # Trignac (CARENE)
    "44176",  # Saint-Malo-de-Guersac (CARENE)
    "44013",  # Besné (CARENE)
    "44168",  # Saint-Joachim (CARENE)
    "44137",  # Prinquiau (CC Estuaire et Sillon)
    "44195",  # Savenay (CC Estuaire et Sillon)
    "44080",  # Lavau-sur-Loire (CC Estuaire et Sillon)
    "44116",  # Paimbœuf (CC du Sud Estuaire)
]


def demo_communes_import(
    *, insee_codes: Sequence[str], data_dir: Path | None = None,
    geonames_csv: Path | None = None,
) -> tuple[list[CommuneHomePage], ImportReport]:
    """Import the communes (all or nothing) and return them in the order given.

    Raises what `communes_import` raises: ValueError or SourceError.
    """
    report = communes_import(insee_codes=list(insee_codes), data_dir=data_dir,
                             geonames_csv=geonames_csv)
    by_code = {
        commune.insee_code: commune
        for commune in CommuneHomePage.objects.filter(
            insee_code__in=insee_codes, locale=Locale.get_default()
        )
    }
    return [by_code[code] for code in insee_codes], report


def communes_nearest(
    *, count: int, departments: Sequence[str], around: str = DONGES,
    data_dir: Path | None = None, geonames_csv: Path | None = None,
) -> list[str]:
    """Return the INSEE codes of the `count` communes of `departments` nearest `around`.

    Reads the official data without writing anything, so a request for more
    communes than the departments have fails before the first write (ValueError).
    Communes GeoNames cannot place come last, the most populated first.
    """
    official = sources.parse(
        data_dir=Path(data_dir or settings.CLOCHER_ETALAB_DATA_DIR),
        geonames_csv=Path(geonames_csv or settings.CLOCHER_GEONAMES_CSV
                          or sources.geonames_default_csv()),
    )
    wanted = {code.strip().upper() for code in departments}
    candidates = [commune for commune in official.values() if commune.department_code in wanted]
    if count > len(candidates):
        raise ValueError(
            f"Asked for {count} communes, but the data has only {len(candidates)} in "
            f"department(s) {', '.join(sorted(wanted))}."
        )
    centre = official.get(around)
    if centre is None or not centre.has_position:
        centre = next((commune for commune in candidates if commune.has_position), None)

    def rank(commune: sources.OfficialCommune) -> tuple:
        if centre is None or not commune.has_position:
            return (1, -(commune.population or 0), commune.insee_code)
        distance = distance_km(centre.latitude, centre.longitude,
                               commune.latitude, commune.longitude)
        return (0, distance, commune.insee_code)

    return [commune.insee_code for commune in sorted(candidates, key=rank)[:count]]

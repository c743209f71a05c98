"""What every query needs about communes and categories, in memory.

Values, not Wagtail page instances: loaded once a minute per process, and forgotten
when a commune page or a category is saved (search/apps.py).
"""

import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from cms.communes.selectors import commune_list, neighbours_among

from .contract import SearchRequestError

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@dataclass(frozen=True)
class CommuneRow:
    insee_code: str
    title: str
    epci_code: str
    department_code: str
    latitude: float | None
    longitude: float | None

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def commune_checked(insee: str, param: str = "commune") -> CommuneRow:
    """The live commune of an INSEE code, or a SearchRequestError on `param`."""
    if not isinstance(insee, str) or not INSEE_CODE.match(insee):
        raise SearchRequestError(param, _("Expected an INSEE code (5 characters)."))
    commune = communes_by_insee().get(insee)
    if commune is None:
        raise SearchRequestError(param, _("Unknown commune: %(code)s.") % {"code": insee})
    return commune


_COMMUNES_TTL_SECONDS = 60.0


@dataclass
class _CommuneTables:
    """What every query needs about communes and categories, loaded once a minute per
    process (issue 4: these lookups cost more than the engine's own work)."""

    loaded_at: float = 0.0
    communes: dict[str, CommuneRow] = field(default_factory=dict)
    neighbourhoods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    categories: dict[str, dict[str, str]] = field(default_factory=dict)  # locale → labels


_tables = _CommuneTables()


def communes_cache_clear() -> None:
    """Forget communes and categories (search/signals.py: a commune page was saved)."""
    global _tables
    _tables = _CommuneTables()


def _fresh_tables() -> _CommuneTables:
    global _tables
    if time.monotonic() - _tables.loaded_at > _COMMUNES_TTL_SECONDS:
        communes = {row[0]: CommuneRow(*row) for row in commune_list().values_list(
            "insee_code", "title", "epci_code", "department_code", "latitude", "longitude")}
        _tables = _CommuneTables(loaded_at=time.monotonic(), communes=communes)
    return _tables


def communes_by_insee() -> dict[str, CommuneRow]:
    """The live communes (values, not Wagtail page instances: those cost more than the
    search itself)."""
    return _fresh_tables().communes


def _neighbourhood(commune: CommuneRow, communes: dict[str, CommuneRow]) -> tuple[str, ...]:
    """The commune, then its neighbours nearest first (`commune_neighbours`' rule, over
    the communes already in memory instead of one query and page instances each)."""
    others = [other for code, other in communes.items() if code != commune.insee_code]
    found = neighbours_among(commune, others, radius_km=settings.CLOCHER_NEIGHBOUR_RADIUS_KM)
    return (commune.insee_code, *(neighbour.commune.insee_code for neighbour in found))


def neighbour_codes(commune: CommuneRow) -> tuple[str, ...]:
    """The commune's neighbourhood (`_neighbourhood`), worked out once per load."""
    tables = _fresh_tables()
    codes = tables.neighbourhoods.get(commune.insee_code)
    if codes is None:
        codes = tables.neighbourhoods[commune.insee_code] = _neighbourhood(
            commune, tables.communes)
    return codes


def category_labels(slugs: set[str], locale: str) -> dict[str, str]:
    """The names of the categories `slugs` in `locale` (else in any locale)."""
    tables = _fresh_tables()
    labels = tables.categories.get(locale)
    if labels is None:
        from cms.content.models import Category

        labels = {}
        for slug, name, code in Category.objects.values_list("slug", "name",
                                                             "locale__language_code"):
            if code == locale or slug not in labels:
                labels[slug] = name
        tables.categories[locale] = labels
    return {slug: labels[slug] for slug in slugs if slug in labels}

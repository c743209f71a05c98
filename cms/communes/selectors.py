"""Reads for communes: lookups and the neighbourhood ("ma commune et ses voisines")."""

import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.db.models import Q, QuerySet
from wagtail.coreutils import get_supported_content_language_variant

from .models import CommuneHomePage

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def commune_list(*, live_only: bool = True) -> QuerySet[CommuneHomePage]:
    """Communes in the source (French) locale, by name."""
    # Mirrors of communes followed on other servers (federation/) are not local communes.
    # The source locale by its code (Locale.get_default()'s lookup) in a join: one query
    # less on every page that lists communes or their neighbours.
    queryset = CommuneHomePage.objects.filter(
        locale__language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE),
        origin_server="")
    if live_only:
        queryset = queryset.live()
    return queryset.order_by("title")


# INSEE codes (2A004, 44052) and slugs; anything else (a NUL byte, which PostgreSQL
# refuses in a query, spaces, punctuation) names no commune.
COMMUNE_LOOKUP = re.compile(r"[\w-]{1,100}")


def commune_get(*, insee_code_or_slug: str) -> CommuneHomePage | None:
    if not COMMUNE_LOOKUP.fullmatch(insee_code_or_slug):
        return None
    return (
        commune_list(live_only=False)
        .filter(Q(insee_code=insee_code_or_slug.upper()) | Q(slug=insee_code_or_slug))
        .first()
    )


@dataclass(frozen=True)
class CommuneSummary:
    """A commune as listings and links read it (name, place in the page tree, codes),
    without building its page: a home or an agenda names some thirty neighbours."""

    pk: int
    title: str
    slug: str
    path: str
    url_path: str
    locale_id: int
    translation_key: uuid.UUID
    insee_code: str
    epci_code: str
    latitude: float | None
    longitude: float | None

    FIELDS: ClassVar[tuple[str, ...]] = (
        "pk", "title", "slug", "path", "url_path", "locale_id", "translation_key",
        "insee_code", "epci_code", "latitude", "longitude")
    specific_class: ClassVar[type] = CommuneHomePage  # as Page.specific_class

    def __str__(self) -> str:
        return self.title

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Neighbour:
    commune: CommuneHomePage | CommuneSummary
    distance_km: float | None  # None when either commune has no centroid
    same_epci: bool


def commune_neighbours(
    *, commune: CommuneHomePage, radius_km: float | None = None
) -> list[Neighbour]:
    """Communes within radius_km of the commune's centroid, plus the members of its EPCI.

    Nearest first; EPCI members without coordinates come last. The commune itself
    is not included.
    """
    radius_km = _radius(radius_km)
    return neighbours_among(commune, _neighbour_candidates(commune, radius_km),
                            radius_km=radius_km)


def commune_neighbour_summaries(
    *, commune: CommuneHomePage, radius_km: float | None = None
) -> list[Neighbour]:
    """commune_neighbours, each neighbour as a CommuneSummary (one query, no pages)."""
    radius_km = _radius(radius_km)
    rows = _neighbour_candidates(commune, radius_km).values(*CommuneSummary.FIELDS)
    return neighbours_among(commune, [CommuneSummary(**row) for row in rows],
                            radius_km=radius_km)


def _radius(radius_km: float | None) -> float:
    radius_km = settings.CLOCHER_NEIGHBOUR_RADIUS_KM if radius_km is None else radius_km
    if radius_km < 0:
        raise ValueError("radius_km must be positive")
    return radius_km


def _neighbour_candidates(commune: CommuneHomePage, radius_km: float) -> QuerySet:
    candidates = Q(epci_code=commune.epci_code) if commune.epci_code else Q(pk__in=[])
    if commune.has_position:
        # A bounding box prefilter keeps the exact haversine check to a few rows.
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * max(math.cos(math.radians(commune.latitude)), 0.01))
        candidates |= Q(
            latitude__range=(commune.latitude - dlat, commune.latitude + dlat),
            longitude__range=(commune.longitude - dlon, commune.longitude + dlon),
        )
    return commune_list().filter(candidates).exclude(pk=commune.pk)


def neighbours_among(commune, others: Iterable, *, radius_km: float) -> list[Neighbour]:
    """The rule of `commune_neighbours` applied to given candidates (pages, or any value
    with latitude, longitude, has_position, epci_code and title: search keeps communes
    in memory), nearest first."""
    neighbours = []
    for other in others:
        distance = (
            distance_km(commune.latitude, commune.longitude, other.latitude, other.longitude)
            if commune.has_position and other.has_position
            else None
        )
        same_epci = bool(commune.epci_code) and other.epci_code == commune.epci_code
        if same_epci or (distance is not None and distance <= radius_km):
            neighbours.append(Neighbour(commune=other, distance_km=distance, same_epci=same_epci))
    neighbours.sort(key=lambda n: (n.distance_km is None, n.distance_km or 0.0, n.commune.title))
    return neighbours


def commune_list_moderated_by(*, user) -> QuerySet:
    """The source-locale communes whose content the user may publish (and so moderate):
    a communicant's one, an animateur's territory, every commune for a superuser."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission, Locale

    communes = CommuneHomePage.objects.filter(locale=Locale.get_default()).order_by("title")
    if user.is_superuser:
        return communes
    publish = Permission.objects.filter(content_type__app_label="wagtailcore",
                                        codename="publish_page")
    keys = GroupPagePermission.objects.filter(
        group__user=user, permission__in=publish,
        page__in=CommuneHomePage.objects.all()).values("page__translation_key")
    return communes.filter(translation_key__in=keys)


def animateur_groups() -> list:
    """Animateur groups (those with page permissions on several communes' homes or made
    by animateur_group_setup: every group that is not a commune's own role group) and
    the source-locale communes each covers, by name."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission, Locale

    default = Locale.get_default()
    roles = (" — communicants", " — contributeurs")
    groups = [group for group in Group.objects.filter(
        page_permissions__page__in=CommuneHomePage.objects.all()).distinct().order_by("name")
        if not group.name.endswith(roles)]
    covered: dict[int, list] = {group.pk: [] for group in groups}
    keys = {}
    for group_id, key in GroupPagePermission.objects.filter(
            group__in=groups, page__in=CommuneHomePage.objects.all()).values_list(
            "group_id", "page__translation_key").distinct():
        keys.setdefault(group_id, set()).add(key)
    communes = {c.translation_key: c for c in CommuneHomePage.objects.filter(
        locale=default, translation_key__in={k for ks in keys.values() for k in ks})}
    for group_id, group_keys in keys.items():
        covered[group_id] = sorted((communes[k] for k in group_keys if k in communes),
                                   key=lambda c: c.title)
    return [(group, covered[group.pk]) for group in groups]

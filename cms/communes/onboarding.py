"""Onboarding a commune from the admin (issue 28, items 3 and 4).

What `manage.py import_communes` does, for one commune a platform administrator finds
by name, postcode or INSEE code: the official data (sources.py, read once per process),
the commune's EPCI and the neighbours already on the platform, then one step that
creates its pages, Site, roles and workflow (importing.communes_import), and an
invitation for its first communicant (a password-setting link by e-mail).
"""

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import sources
from .importing import communes_import
from .models import CommuneHomePage
from .roles import CommuneRole, user_add_to_role
from .selectors import commune_list, distance_km

SEARCH_LIMIT = 20
_official: dict[tuple, dict[str, sources.OfficialCommune]] = {}


def _paths() -> tuple[Path, Path, Path]:
    return (Path(settings.CLOCHER_ETALAB_DATA_DIR),
            Path(settings.CLOCHER_GEONAMES_CSV or sources.geonames_default_csv()),
            Path(settings.CLOCHER_CENTROIDS_CSV or sources.centroids_default_csv()))


def official_communes() -> dict[str, sources.OfficialCommune]:
    """Every current commune of the official data by INSEE code (parsed once per
    process and again when a source file changes)."""
    data_dir, geonames, centroids = _paths()
    key = (data_dir, geonames, centroids, *(_mtime(path) for path in (
        data_dir / "communes.json", data_dir / "epci.json", geonames, centroids)))
    if key not in _official:
        _official.clear()
        _official[key] = sources.parse(data_dir=data_dir, geonames_csv=geonames,
                                       centroids_csv=centroids)
    return _official[key]


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def official_commune_search(*, text: str) -> list[sources.OfficialCommune]:
    """Communes whose INSEE code or a postcode is `text`, or whose name contains it
    (accents and case ignored); exact codes first, then by name."""
    text = text.strip()
    if not text:
        return []
    communes = official_communes()
    if text.upper() in communes:
        return [communes[text.upper()]]
    needle = sources.name_key(text)
    found = [commune for commune in communes.values()
             if text in commune.postcodes or (needle and needle in sources.name_key(commune.name))]
    found.sort(key=lambda c: (text not in c.postcodes, sources.name_key(c.name) != needle, c.name))
    return found[:SEARCH_LIMIT]


@dataclass(frozen=True, kw_only=True)
class OnboardingCandidate:
    official: sources.OfficialCommune
    existing: CommuneHomePage | None
    epci_members_here: list[CommuneHomePage]
    neighbours_here: list[tuple[CommuneHomePage, float]]


def onboarding_candidate(*, insee_code: str,
                         radius_km: float | None = None) -> OnboardingCandidate | None:
    """What the administrator sees before creating the commune: is it here already,
    which communes of its EPCI and which neighbours (within the radius) are."""
    official = official_communes().get(insee_code.upper())
    if official is None:
        return None
    radius = radius_km or settings.CLOCHER_NEIGHBOUR_RADIUS_KM
    here = list(commune_list(live_only=False))
    existing = next((c for c in here if c.insee_code == official.insee_code), None)
    others = [c for c in here if c.insee_code != official.insee_code]
    members = [c for c in others if official.epci_code and c.epci_code == official.epci_code]
    neighbours = []
    if official.has_position:
        for commune in others:
            if commune.latitude is None or commune.longitude is None:
                continue
            distance = distance_km(official.latitude, official.longitude,
                                   commune.latitude, commune.longitude)
            if distance <= radius:
                neighbours.append((commune, round(distance, 1)))
        neighbours.sort(key=lambda pair: pair[1])
    return OnboardingCandidate(official=official, existing=existing,
                               epci_members_here=members, neighbours_here=neighbours)


def commune_onboard(*, insee_code: str) -> CommuneHomePage:
    """Create (or update) the commune from the official data: pages, Site, roles and
    workflow, all or nothing. Raises ValueError or sources.SourceError."""
    data_dir, geonames, centroids = _paths()
    communes_import(insee_codes=[insee_code], data_dir=data_dir, geonames_csv=geonames,
                    centroids_csv=centroids)
    return commune_list(live_only=False).get(insee_code=insee_code.upper())


@transaction.atomic
def communicant_invite(*, commune: CommuneHomePage, email: str, invited_by) -> object:
    """Give the address the communicant role in the commune and mail it a link that sets
    its password (Wagtail's password-reset confirmation). An existing account keeps its
    password and gets the role."""
    users = get_user_model()
    email = users.objects.normalize_email(email).strip()
    user = users.objects.filter(email__iexact=email).first()
    if user is None:
        user = users.objects.create_user(username=email[:150], email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailadmin_password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user)})
    subject = _("Invitation : communication de %(commune)s sur Clocher") % {
        "commune": commune.title}
    body = _("Bonjour,\n\n%(inviter)s vous invite à publier les actualités, l'agenda et "
             "les informations pratiques de %(commune)s sur Clocher.\n\nChoisissez votre "
             "mot de passe ici (lien personnel, valable quelques jours) :\n%(link)s\n\n"
             "Votre identifiant : %(username)s\n\n— Clocher") % {
        "inviter": invited_by.get_full_name() or invited_by.get_username(),
        "commune": commune.title, "link": link, "username": user.get_username()}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return user

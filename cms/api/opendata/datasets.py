"""The open-data datasets of a commune: events, directory entries, practical information.

Each dataset is one Table Schema (https://specs.frictionlessdata.io/table-schema/) and
one function turning a read-model item (cms.readmodel PublishedItem) into a row of
exactly those fields. CSV and JSON files carry the same rows; the schemas are served
at /opendata/schemas/<dataset>.json and validated against the files in the tests
(frictionless).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0"
# The URL data.gouv.fr gives for its "lov2" licence (what its harvester matches on).
LICENCE_URL = "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"


def _field(name: str, type_: str, title: str, description: str = "", **constraints) -> dict:
    field = {"name": name, "type": type_, "title": title}
    if description:
        field["description"] = description
    if constraints:
        field["constraints"] = constraints
    return field


COMMON_FIELDS = [
    _field("id", "integer", "Identifiant", "Stable identifier of the item (the API's id).",
           required=True, unique=True),
    _field("title", "string", "Titre", required=True),
    _field("url", "string", "Page", "Canonical URL of the item.", required=True),
    _field("commune_insee", "string", "Code INSEE de la commune", required=True,
           pattern="[0-9][0-9AB][0-9]{3}"),
    _field("commune_name", "string", "Commune", required=True),
]
TAIL_FIELDS = [
    _field("categories", "string", "Catégories", "Category slugs, separated by commas."),
    _field("updated_at", "datetime", "Mise à jour", required=True),
]
POSITION_FIELDS = [
    _field("latitude", "number", "Latitude", "WGS 84; the commune's centre when the item "
           "has no place of its own.", minimum=-90, maximum=90),
    _field("longitude", "number", "Longitude", minimum=-180, maximum=180),
]


@dataclass(frozen=True, kw_only=True)
class Dataset:
    name: str            # file name: events.csv, events.json
    kind: str            # the content kind it lists (cms/content/kinds.py)
    title: str
    description: str
    fields: list[dict]
    row: Callable[[Any], dict]

    def schema(self) -> dict:
        return {"fields": self.fields, "primaryKey": ["id"], "missingValues": [""]}

    @property
    def field_names(self) -> list[str]:
        return [field["name"] for field in self.fields]


def _common(item) -> dict:
    payload = item.payload
    commune = payload.get("commune") or {}
    return {"id": item.pk, "title": item.title, "url": item.url,
            "commune_insee": commune.get("insee", ""), "commune_name": commune.get("name", ""),
            "categories": ",".join(payload.get("categories") or []),
            "updated_at": _datetime(item.updated_at)}


def _datetime(value) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value)


def _position(item) -> dict:
    return {"latitude": item.latitude, "longitude": item.longitude}


def _event_row(item) -> dict:
    payload = item.payload
    return {**_common(item), **_position(item),
            "start": payload.get("start"), "end": payload.get("end"),
            "all_day": bool(payload.get("all_day")),
            "venue_name": payload.get("venue_name") or "",
            "address": payload.get("address") or "",
            "organiser": payload.get("organiser") or "",
            "organiser_email": payload.get("organiser_email") or "",
            "organiser_phone": payload.get("organiser_phone") or "",
            "is_free": payload.get("is_free"),
            "price": payload.get("price") or "",
            "registration_url": payload.get("registration_url") or "",
            "summary": payload.get("summary") or ""}


def _directory_row(item) -> dict:
    payload = item.payload
    return {**_common(item), **_position(item),
            "directory_kind": payload.get("directory_kind") or "",
            "address": payload.get("address") or "", "phone": payload.get("phone") or "",
            "email": payload.get("email") or "", "website": payload.get("website") or "",
            "summary": payload.get("summary") or ""}


def _info_row(item) -> dict:
    payload = item.payload
    return {**_common(item), "topic": payload.get("topic") or "",
            "summary": payload.get("summary") or ""}


def _directory_kinds() -> list[str]:
    from cms.content.models import DirectoryKind

    return [value for value, _label in DirectoryKind.choices]


def _info_topics() -> list[str]:
    from cms.content.models import InfoTopic

    return [value for value, _label in InfoTopic.choices]


def datasets() -> list[Dataset]:
    """The datasets every commune publishes (and the platform, for all communes)."""
    return [
        Dataset(
            name="events", kind="event", title="Agenda",
            description="Événements publiés par la commune.",
            fields=[*COMMON_FIELDS,
                    _field("start", "datetime", "Début", required=True),
                    _field("end", "datetime", "Fin"),
                    _field("all_day", "boolean", "Toute la journée"),
                    _field("venue_name", "string", "Lieu"),
                    _field("address", "string", "Adresse"),
                    *POSITION_FIELDS,
                    _field("organiser", "string", "Organisateur"),
                    _field("organiser_email", "string", "E-mail de l'organisateur"),
                    _field("organiser_phone", "string", "Téléphone de l'organisateur"),
                    _field("is_free", "boolean", "Gratuit"),
                    _field("price", "string", "Tarif"),
                    _field("registration_url", "string", "Inscription"),
                    _field("summary", "string", "Résumé"),
                    *TAIL_FIELDS],
            row=_event_row),
        Dataset(
            name="directory", kind="directory", title="Annuaire",
            description="Associations, commerces, producteurs et services publics.",
            fields=[*COMMON_FIELDS,
                    _field("directory_kind", "string", "Type", required=True,
                           enum=_directory_kinds()),
                    _field("address", "string", "Adresse"),
                    *POSITION_FIELDS,
                    _field("phone", "string", "Téléphone"),
                    _field("email", "string", "Courriel"),
                    _field("website", "string", "Site web"),
                    _field("summary", "string", "Résumé"),
                    *TAIL_FIELDS],
            row=_directory_row),
        Dataset(
            name="info", kind="info", title="Infos pratiques",
            description="Informations pratiques de la commune (mairie, déchets, écoles…).",
            fields=[*COMMON_FIELDS,
                    _field("topic", "string", "Thème", required=True, enum=_info_topics()),
                    _field("summary", "string", "Résumé"),
                    *TAIL_FIELDS],
            row=_info_row),
    ]


def dataset_named(name: str) -> Dataset | None:
    return next((dataset for dataset in datasets() if dataset.name == name), None)

"""Local colour for demo text: where things happen in each commune."""

import random
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from typing import Any

from cms.communes.models import CommuneHomePage

# Numbers reserved by ARCEP for fiction (02 61 91 xx xx): a demo never rings anybody.
FICTIONAL_PHONE_PREFIX = "02 61 91"


@dataclass(frozen=True, kw_only=True)
class Local:
    """Names used in a commune's demo text (the placeholders of `items`).

    `{of_farm_place}` is also available: "du Grand-Clos", "de La Noë".
    """

    commune: str = ""
    slug: str = ""
    postcode: str = ""
    epci: str = ""
    venue: str = "salle polyvalente"  # where the big indoor events happen
    square: str = "place de la Mairie"
    nature: str = "les chemins de la commune"
    farm_place: str = "La Métairie"  # lieux-dits where producers farm
    other_farm_place: str = "Le Haut-Bois"
    neighbour: str = ""  # a nearby commune, for text that mentions one


# Only what is known to be true of the commune; the rest falls back to Local's defaults.
LOCAL = {
    "44052": Local(venue="Espace Renaissance",
                   nature="les marais de Donges et les rives de l'estuaire",
                   farm_place="La Herbretais", other_farm_place="Le Pont-Blanc",
                   neighbour="Montoir-de-Bretagne"),
    "44103": Local(nature="les marais de Brière", farm_place="Le Bois-Joubert",
                   other_farm_place="La Gâtine", neighbour="Trignac"),
    "44210": Local(venue="centre culturel Lucie-Aubrac", nature="les marais de Brière",
                   farm_place="Certé", other_farm_place="Les Landes",
                   neighbour="Montoir-de-Bretagne"),
    "44176": Local(nature="le port de Rozé et le canal", farm_place="L'Île d'Errand",
                   other_farm_place="La Croix-Blanche", neighbour="Saint-Joachim"),
    "44013": Local(nature="les bords du Brivet", farm_place="Le Pont-de-Paille",
                   other_farm_place="La Ville-Aubin", neighbour="Pontchâteau"),
    "44168": Local(nature="l'île de Fédrun et la Grande Brière", farm_place="Pendille",
                   other_farm_place="La Pierre-Fendue", neighbour="Saint-Malo-de-Guersac"),
    "44137": Local(nature="les bords du Brivet", farm_place="La Noë",
                   other_farm_place="Le Clos-Neuf", neighbour="Savenay"),
    "44195": Local(venue="salle des fêtes", nature="le sillon de Bretagne",
                   farm_place="La Touche", other_farm_place="La Grée", neighbour="Prinquiau"),
    "44080": Local(venue="salle des fêtes",
                   nature="les prairies de l'estuaire et l'Observatoire",
                   farm_place="Le Bas-Village", other_farm_place="La Prée",
                   neighbour="Savenay"),
    "44116": Local(nature="les quais de la Loire", farm_place="La Sicaudais",
                   other_farm_place="Le Grand-Clos", neighbour="Corsept"),
}


def local_for(commune: CommuneHomePage) -> Local:
    base = LOCAL.get(commune.insee_code, Local())
    return replace(
        base,
        commune=commune.title,
        slug=commune.slug,
        postcode=(commune.postcodes or [""])[0],
        epci=commune.epci_name or "l'intercommunalité",
        neighbour=base.neighbour or "la commune voisine",
    )


def fill(value: Any, local: Local, **extra: str) -> Any:
    """Replace the placeholders in a string, or in every string of a tuple/list/dict.

    Frozen dataclasses (MarketDay, Product…) are filled field by field.
    """
    if isinstance(value, str):
        names = asdict(local)
        names["of_farm_place"] = of(local.farm_place)
        return value.format_map({**names, **extra})
    if isinstance(value, tuple | list):
        return type(value)(fill(item, local, **extra) for item in value)
    if isinstance(value, dict):
        return {key: fill(item, local, **extra) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{
            f.name: fill(getattr(value, f.name), local, **extra) for f in fields(value)
        })
    return value


def of(place: str) -> str:
    """French "of" before a place name: "du Grand-Clos", "des Landes", "de La Noë"."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if place.startswith(article):
            return contracted + place.removeprefix(article)
    return f"de {place}"


def point_near(commune: CommuneHomePage, rng: random.Random, *, km: float = 1.5):
    """A point within about `km` of the commune's centroid, or (None, None) without one."""
    if not commune.has_position:
        return None, None
    # 1° of latitude is 111 km; at 47° N, 1° of longitude is about 76 km.
    latitude = commune.latitude + rng.uniform(-km, km) / 111.0
    longitude = commune.longitude + rng.uniform(-km, km) / 76.0
    return round(latitude, 6), round(longitude, 6)


def phone(rng: random.Random) -> str:
    return f"{FICTIONAL_PHONE_PREFIX} {rng.randrange(100):02d} {rng.randrange(100):02d}"

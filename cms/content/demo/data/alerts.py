"""Demo alerts: water cuts, weather warnings, closed roads."""

from ..items import AlertItem

INFO, WARNING, URGENT = 1, 2, 3  # AlertSeverity

WATER_CUT = AlertItem(
    key="coupure-eau",
    title="Coupure d'eau dans le centre-bourg",
    severity=URGENT,
    message=(
        "<p>À la suite d'une rupture de canalisation, l'eau est coupée autour de la "
        "<b>{square}</b> jusqu'à la fin de la réparation.</p>"
        "<p>Des bouteilles d'eau sont distribuées à la mairie. Après le retour de l'eau, "
        "laissez couler le robinet quelques minutes avant de la boire.</p>"
    ),
    starts_in_hours=-3, lasts_hours=20,
    categories=("travaux",),
    en={
        "title": "Water cut in the village centre",
        "message": (
            "<p>Following a burst pipe, the water supply is cut around the "
            "<b>{square}</b> until the repair is finished.</p>"
            "<p>Bottled water is handed out at the town hall. When the water comes back, "
            "let the tap run for a few minutes before drinking it.</p>"
        ),
    },
)

STORM_WARNING = AlertItem(
    key="vigilance-vents-violents",
    title="Vigilance orange vents violents",
    severity=WARNING,
    message=(
        "<p>Météo-France place la Loire-Atlantique en vigilance orange pour des rafales "
        "de 100 à 120 km/h sur le littoral et l'estuaire.</p>"
        "<ul><li>Rentrez ou attachez les objets susceptibles d'être emportés.</li>"
        "<li>Évitez les promenades en forêt et sur les quais.</li>"
        "<li>Les salles de sport municipales sont fermées jusqu'à la levée de "
        "l'alerte.</li></ul>"
    ),
    starts_in_hours=-1, lasts_hours=30,
    categories=("environnement",),
)

# Each other commune takes one of these in turn.
OTHERS = [
    AlertItem(
        key="route-barree",
        title="Route barrée pour travaux de voirie",
        severity=WARNING,
        message=(
            "<p>La route du lieu-dit {farm_place} est fermée à la circulation pour la "
            "réfection de la chaussée. Une déviation est mise en place par {neighbour}.</p>"
        ),
        starts_in_hours=-30, lasts_hours=24 * 6,
        categories=("travaux", "transports"),
    ),
    AlertItem(
        key="collecte-decalee",
        title="Collecte des déchets décalée cette semaine",
        severity=INFO,
        message=(
            "<p>En raison du jour férié, la collecte des ordures ménagères et des sacs "
            "jaunes est décalée au lendemain. Sortez vos bacs la veille au soir.</p>"
        ),
        starts_in_hours=-12, lasts_hours=24 * 4,
        categories=("dechets",),
    ),
    AlertItem(
        key="vigilance-crues",
        title="Vigilance crues : Brivet et marais",
        severity=WARNING,
        message=(
            "<p>Les fortes pluies font monter le niveau des cours d'eau et des marais. "
            "Ne vous engagez pas sur les routes submergées, même à faible hauteur.</p>"
        ),
        starts_in_hours=-6, lasts_hours=48,
        categories=("environnement",),
    ),
    AlertItem(
        key="mairie-fermee",
        title="Mairie fermée samedi matin",
        severity=INFO,
        message=(
            "<p>L'accueil de la mairie sera exceptionnellement fermé samedi matin. "
            "Pour toute urgence, contactez l'élu de permanence.</p>"
        ),
        starts_in_hours=-2, lasts_hours=24 * 5,
        categories=(),
    ),
    AlertItem(
        key="frelons-asiatiques",
        title="Nids de frelons asiatiques : signalez-les",
        severity=INFO,
        message=(
            "<p>La commune prend en charge la destruction des nids de frelons asiatiques "
            "chez les particuliers. Signalez tout nid à l'accueil de la mairie.</p>"
        ),
        starts_in_hours=-24 * 5, lasts_hours=None,
        categories=("environnement",),
    ),
]

# An alert that is over: it stays in the archive but is no longer listed as active.
EXPIRED = AlertItem(
    key="canicule",
    title="Épisode de fortes chaleurs",
    severity=WARNING,
    message=(
        "<p>Pensez à vous hydrater et à prendre des nouvelles de vos voisins âgés. "
        "Le registre des personnes vulnérables est ouvert à la mairie.</p>"
    ),
    starts_in_hours=-24 * 60, lasts_hours=72,
    categories=("sante", "solidarite"),
)

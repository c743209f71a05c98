"""Demo practical information: every commune has these three pages."""

from ..items import InfoItem

WEEKDAYS_HOURS = tuple(
    slot for day in ("mon", "tue", "wed", "thu", "fri")
    for slot in ((day, "08:45", "12:15"), (day, "13:45", "17:30"))
    if not (day == "wed" and slot[1] == "13:45")  # closed on Wednesday afternoons
)

INFOS = [
    InfoItem(
        key="horaires-mairie",
        title="Horaires de la mairie",
        topic="town_hall",
        summary="L'accueil de la mairie de {commune} vous reçoit du lundi au samedi matin, "
                "{square}.",
        opening_hours=(*WEEKDAYS_HOURS, ("sat", "09:00", "12:00")),
        body=(
            "État civil, urbanisme, inscriptions scolaires, location de salles : l'accueil "
            "vous oriente. Les cartes d'identité et passeports se font sur rendez-vous.",
            "Le maire et les adjoints reçoivent sur rendez-vous, à prendre auprès de "
            "l'accueil.",
        ),
        en={
            "title": "Town hall opening hours",
            "summary": "The {commune} town hall welcomes you from Monday to Saturday "
                       "morning, {square}.",
            "body": (
                "Civil registration, planning, school enrolment, hall hire: the reception "
                "desk will direct you. Identity cards and passports are by appointment.",
                "The mayor and deputy mayors see residents by appointment, to be made at "
                "the reception desk.",
            ),
        },
    ),
    InfoItem(
        key="collecte-dechets",
        title="Collecte des déchets et déchèterie",
        topic="waste",
        summary="Ordures ménagères chaque semaine, sacs jaunes une semaine sur deux ; "
                "la collecte est assurée par {epci}.",
        opening_hours=(
            ("mon", "14:00", "18:00"), ("wed", "09:00", "12:00"), ("wed", "14:00", "18:00"),
            ("fri", "14:00", "18:00"), ("sat", "09:00", "12:00"), ("sat", "14:00", "18:00"),
        ),
        body=(
            "Sortez votre bac d'ordures ménagères le mardi soir et vos sacs jaunes le "
            "jeudi soir des semaines paires. Le verre se dépose dans les colonnes "
            "d'apport volontaire.",
            "La déchèterie accueille gratuitement les particuliers sur présentation de la "
            "carte d'accès ; les horaires d'ouverture figurent ci-dessus.",
            "Encombrants : collecte à domicile sur rendez-vous, deux fois par an.",
        ),
        categories=("dechets", "environnement"),
    ),
    InfoItem(
        key="ecoles",
        title="Écoles, restauration scolaire et accueil périscolaire",
        topic="schools",
        summary="Deux écoles maternelles et élémentaires, un restaurant scolaire et un "
                "accueil périscolaire matin et soir.",
        body=(
            "L'école publique et l'école privée accueillent les enfants de la petite "
            "section au CM2. Les inscriptions se font en mairie.",
            "Le restaurant scolaire sert des repas préparés sur place, avec 40 % de "
            "produits locaux ou bio. Les menus sont publiés chaque mois.",
            "L'accueil périscolaire ouvre de 7 h 15 à 8 h 35 et de 16 h 30 à 19 h ; "
            "réservation sur le portail famille.",
        ),
        categories=("enfance-jeunesse",),
    ),
]

"""Demo events: the commune's agenda, some ahead and some just past.

`{date}` in a title is the event's day ("mardi 9 décembre"); the other placeholders
come from `places.Local`.
"""

from ..items import EventItem

SATURDAY, SUNDAY = 5, 6
ACCESSIBLE_HALL = ("Salle de plain-pied accessible en fauteuil roulant ; places de "
                   "stationnement réservées devant l'entrée ; boucle magnétique à l'accueil.")

COUNCIL = EventItem(
    key="conseil-municipal",
    title="Conseil municipal du {date}",
    summary="Séance publique du conseil municipal. Ordre du jour : budget primitif, "
            "tarifs de la cantine, subventions aux associations.",
    body=(
        "Les séances du conseil municipal sont publiques. L'ordre du jour complet est "
        "affiché à la mairie et publié sur le site de la commune une semaine avant.",
        "Le compte rendu sera consultable en mairie et en ligne dans les huit jours.",
    ),
    venue="Salle du conseil, mairie",
    address="Mairie, {square}, {postcode} {commune}",
    organiser="Mairie de {commune}",
    days=9, weekday=1, hour=19, duration_hours=2.5,
    is_free=True,
    accessibility="Salle du conseil au rez-de-chaussée, accessible aux personnes à "
                  "mobilité réduite.",
)

PAST_COUNCIL = EventItem(
    key="conseil-municipal-precedent",
    title="Conseil municipal du {date}",
    summary="Séance publique : orientations budgétaires, travaux de voirie, convention "
            "avec {epci}.",
    body=("Le compte rendu de la séance est disponible en mairie et sur le site de la "
          "commune.",),
    venue="Salle du conseil, mairie",
    address="Mairie, {square}, {postcode} {commune}",
    organiser="Mairie de {commune}",
    days=-26, weekday=3, hour=19, duration_hours=2.5,
    is_free=True,
    accessibility="Salle du conseil au rez-de-chaussée, accessible aux personnes à "
                  "mobilité réduite.",
)

# The first ones are what every demo should show: each commune takes the next three.
UPCOMING = [
    EventItem(
        key="vide-grenier",
        title="Grand vide-grenier du comité des fêtes",
        summary="Plus de 150 exposants attendus dans les rues du bourg. Buvette, crêpes et "
                "galettes-saucisses sur place. Entrée libre pour les visiteurs.",
        body=(
            "Les exposants particuliers s'inscrivent en ligne : 3 € le mètre linéaire, "
            "installation à partir de 6 h 30. Une pièce d'identité sera demandée.",
            "Le centre-bourg sera fermé à la circulation de 6 h à 19 h ; des parkings "
            "fléchés sont prévus à l'entrée de la commune.",
        ),
        venue="Centre-bourg",
        address="{square}, {postcode} {commune}",
        organiser="Comité des fêtes de {commune}",
        categories=("fete", "vie-associative"),
        days=17, weekday=SUNDAY, hour=8, duration_hours=10,
        is_free=True,
        registration_url="https://inscriptions.example/{slug}/vide-grenier",
        accessibility="Parcours de plain-pied ; toilettes accessibles à la mairie.",
    ),
    EventItem(
        key="marche-de-noel",
        title="Marché de Noël",
        summary="Une quarantaine d'artisans et de producteurs locaux, des animations pour "
                "les enfants et la visite du Père Noël à 16 h.",
        body=(
            "Bijoux, céramique, savons, jouets en bois, huîtres, miel et vin chaud : de "
            "quoi faire le plein de cadeaux et de bons produits de chez nous.",
            "Balades en calèche dans le bourg de 14 h à 17 h, au profit du Téléthon.",
        ),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Comité des fêtes et association des parents d'élèves",
        categories=("marche", "fete"),
        month=12, weekday=SATURDAY, nth=2, hour=10, duration_hours=9,
        is_free=True,
        accessibility=ACCESSIBLE_HALL,
        en={
            "title": "Christmas market",
            "summary": "Some forty local craftspeople and producers, activities for "
                       "children and a visit from Father Christmas at 4 pm.",
            "body": (
                "Jewellery, ceramics, soaps, wooden toys, oysters, honey and mulled wine: "
                "plenty of presents and good local food.",
                "Horse-drawn carriage rides around the village from 2 pm to 5 pm, raising "
                "money for the Téléthon charity.",
            ),
            "accessibility": "Step-free hall accessible by wheelchair; reserved parking "
                             "in front of the entrance; hearing loop at the reception.",
        },
    ),
    EventItem(
        key="concert-harmonie",
        title="Concert de l'harmonie : musiques de films",
        summary="Les quarante musiciens de l'harmonie revisitent les grandes musiques de "
                "films, de John Williams à Vladimir Cosma.",
        body=(
            "Première partie assurée par les élèves de l'école de musique intercommunale.",
            "Placement libre ; ouverture des portes à 20 h.",
        ),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Harmonie municipale de {commune}",
        organiser_email="harmonie@example.org",
        categories=("culture",),
        days=24, weekday=SATURDAY, hour=20, minute=30, duration_hours=2,
        price="8 €, gratuit pour les moins de 12 ans",
        registration_url="https://billetterie.example/{slug}/concert-harmonie",
        accessibility=ACCESSIBLE_HALL,
    ),
    EventItem(
        key="fest-noz",
        title="Fest-noz de l'estuaire",
        summary="Danses bretonnes jusqu'au bout de la nuit avec trois groupes et des "
                "chanteurs de kan ha diskan. Initiation aux danses à 20 h 30.",
        body=(
            "Gavottes, an-dro, hanter-dro et plinn : débutants bienvenus, l'initiation "
            "permet de rejoindre les rondes dès le début du bal.",
            "Buvette et crêpes préparées par les bénévoles du cercle celtique.",
        ),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Cercle celtique de l'estuaire",
        organiser_email="cercle-celtique@example.org",
        organiser_phone="02 40 00 00 00",
        categories=("culture", "fete"),
        days=31, weekday=SATURDAY, hour=21, duration_hours=4.5,
        price="7 €, gratuit pour les moins de 14 ans",
        registration_url="https://billetterie.example/{slug}/fest-noz",
        accessibility=ACCESSIBLE_HALL,
        en={
            "title": "Estuary fest-noz",
            "summary": "Breton dancing late into the night with three bands and kan ha "
                       "diskan singers. Dance lesson at 8.30 pm.",
            "body": (
                "Gavotte, an-dro, hanter-dro and plinn: beginners are welcome, the lesson "
                "lets you join the circles as soon as the ball starts.",
                "Bar and crêpes made by the Celtic circle's volunteers.",
            ),
            "accessibility": "Step-free hall accessible by wheelchair; reserved parking "
                             "in front of the entrance; hearing loop at the reception.",
        },
    ),
    EventItem(
        key="foulees",
        title="Les Foulées de {commune}",
        summary="Courses de 5 et 10 km à travers le bourg et la campagne, courses enfants "
                "et marche nordique. Départ du complexe sportif.",
        body=(
            "Départ du 10 km à 9 h 30, du 5 km à 9 h 45. Courses enfants à partir de 11 h "
            "(gratuites, autorisation parentale obligatoire).",
            "Certificat médical ou licence FFA exigé pour les courses chronométrées. "
            "Une partie des inscriptions est reversée à une association locale.",
        ),
        venue="Complexe sportif",
        address="Rue du Stade, {postcode} {commune}",
        organiser="Club d'athlétisme de {commune}",
        categories=("sport", "nature-randonnee"),
        days=44, weekday=SUNDAY, hour=9, minute=30, duration_hours=3,
        price="5 km : 8 € ; 10 km : 12 € ; courses enfants gratuites",
        registration_url="https://inscriptions.example/{slug}/foulees",
        accessibility="Parcours de 5 km praticable en joëlette ; vestiaires et toilettes "
                      "accessibles.",
        en={
            "title": "The {commune} road race",
            "summary": "5 and 10 km races through the village and the countryside, "
                       "children's races and Nordic walking. Start at the sports ground.",
            "body": (
                "The 10 km starts at 9.30 am, the 5 km at 9.45 am. Children's races from "
                "11 am (free, parental consent required).",
                "A medical certificate or an athletics licence is required for the timed "
                "races. Part of the entry fees goes to a local charity.",
            ),
        },
    ),
    EventItem(
        key="balade-oiseaux",
        title="Balade nature : à la découverte des oiseaux",
        summary="Sortie commentée par un guide naturaliste, jumelles prêtées. "
                "Lieu de la balade : {nature}.",
        body=(
            "Hérons, aigrettes, busards et, avec un peu de chance, la spatule blanche : "
            "le guide vous apprend à les reconnaître à la silhouette et au chant.",
            "Prévoir des bottes ou de bonnes chaussures. Nombre de places limité à vingt.",
        ),
        venue="Parking de la mairie (départ)",
        address="{square}, {postcode} {commune}",
        organiser="Office de tourisme et association de protection de la nature",
        categories=("nature-randonnee", "environnement"),
        days=7, weekday=2, hour=14, minute=30, duration_hours=2.5,
        is_free=True,
        registration_url="https://inscriptions.example/{slug}/balade-oiseaux",
        accessibility="Chemin en terre de 3 km, non accessible en fauteuil roulant.",
    ),
    EventItem(
        key="collecte-sang",
        title="Collecte de sang",
        summary="L'Établissement français du sang vous accueille pour un don. Prévoir une "
                "pièce d'identité ; ne pas venir à jeun.",
        body=("Un don dure environ une heure, collation comprise. Les besoins sont "
              "particulièrement importants avant les vacances.",),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Établissement français du sang et amicale des donneurs de sang",
        categories=("sante", "solidarite"),
        days=5, weekday=3, hour=16, duration_hours=3.5,
        is_free=True,
        registration_url="https://dondesang.example/{slug}",
        accessibility=ACCESSIBLE_HALL,
    ),
    EventItem(
        key="atelier-compostage",
        title="Atelier compostage et paillage",
        summary="Apprenez à réduire vos déchets de cuisine et de jardin ; un composteur est "
                "remis à chaque foyer participant.",
        body=("Atelier animé par le guide composteur de {epci}. Inscription obligatoire, "
              "quinze foyers au maximum.",),
        venue="Jardins familiaux",
        address="Chemin des Jardins, {postcode} {commune}",
        organiser="{epci}",
        categories=("environnement", "dechets"),
        days=11, weekday=SATURDAY, hour=10, duration_hours=2,
        is_free=True,
        registration_url="https://inscriptions.example/{slug}/compostage",
        accessibility="Allées stabilisées accessibles en fauteuil roulant.",
    ),
    EventItem(
        key="spectacle-jeune-public",
        title="Spectacle jeune public : « La Sorcière du placard aux balais »",
        summary="Théâtre et marionnettes d'après le conte de Pierre Gripari, à partir de "
                "4 ans. Goûter offert après la représentation.",
        body=("Une heure de rire et de frissons pour les petits et leurs parents.",),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Service culturel de {commune}",
        categories=("culture", "enfance-jeunesse"),
        days=20, weekday=2, hour=15, duration_hours=1,
        price="4 €",
        registration_url="https://billetterie.example/{slug}/jeune-public",
        accessibility=ACCESSIBLE_HALL,
    ),
    EventItem(
        key="marche-producteurs",
        title="Marché de producteurs locaux",
        summary="Légumes, viande, fromages, pain, miel et cidre : une quinzaine de "
                "producteurs des environs vendent en direct.",
        body=("Apportez vos sacs et vos contenants : plusieurs producteurs servent en vrac.",),
        venue="{square}",
        address="{square}, {postcode} {commune}",
        organiser="Mairie de {commune}",
        categories=("marche", "economie-locale"),
        days=3, weekday=4, hour=16, duration_hours=3,
        is_free=True,
        accessibility="Place de plain-pied, stationnement réservé à proximité.",
    ),
]

PAST = [
    EventItem(
        key="forum-associations",
        title="Forum des associations",
        summary="Toutes les associations de {commune} présentent leurs activités ; "
                "inscriptions sur place.",
        body=("Démonstrations de danse, de judo et de tennis de table toute la journée.",),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Mairie de {commune}",
        categories=("vie-associative",),
        days=-38, weekday=SATURDAY, hour=10, duration_hours=6,
        is_free=True,
        accessibility=ACCESSIBLE_HALL,
    ),
    EventItem(
        key="repas-des-aines",
        title="Repas des aînés",
        summary="Le centre communal d'action sociale invite les habitants de 70 ans et plus "
                "au traditionnel repas dansant.",
        body=("Transport possible sur demande auprès de la mairie.",),
        venue="{venue}",
        address="{square}, {postcode} {commune}",
        organiser="Centre communal d'action sociale",
        categories=("solidarite",),
        days=-19, weekday=SUNDAY, hour=12, duration_hours=5,
        is_free=True,
        accessibility=ACCESSIBLE_HALL,
    ),
    EventItem(
        key="randonnee-automne",
        title="Randonnée d'automne",
        summary="Trois circuits de 8, 12 et 18 km ; ravitaillement à mi-parcours.",
        body=("Départs libres entre 8 h et 10 h. Participation reversée à l'association "
              "des randonneurs pour l'entretien des sentiers.",),
        venue="Salle des sports",
        address="Rue du Stade, {postcode} {commune}",
        organiser="Les Randonneurs de {commune}",
        categories=("nature-randonnee", "sport"),
        days=-12, weekday=SUNDAY, hour=8, duration_hours=5,
        price="3 €",
        accessibility="Circuit de 8 km praticable avec une poussette tout-terrain.",
    ),
]

"""Plausible French text for generated pages: titles and paragraphs from templates.

Made for volume, not for reading: a few hundred fragments combine into enough
variety that listings, search and pagination behave as on a real site.
"""

import random

SUBJECTS = [
    "la salle des sports", "l'école publique", "le restaurant scolaire", "la médiathèque",
    "le terrain de football", "la place de l'Église", "l'aire de jeux", "le city-stade",
    "les jardins familiaux", "la mairie", "le skatepark", "la piste cyclable",
    "la salle polyvalente", "le lotissement des Chênes", "la maison de santé",
    "le parking du bourg", "le chemin de halage", "le plan d'eau", "le cimetière",
    "l'église", "le foyer des jeunes", "la rue du Stade", "la route de la Loire",
]
OCCASIONS = [
    "la fête de la musique", "la fête des écoles", "le vide-grenier", "le marché de Noël",
    "les journées du patrimoine", "la semaine bleue", "la fête du pain", "la foire aux plants",
    "le concours de pêche", "la randonnée des marais", "le Téléthon", "le carnaval des enfants",
    "le forum de l'emploi", "la fête de la Saint-Jean", "le repas des aînés",
]
# (name, "of" form) so titles read "Loto du comité des fêtes", "Concert de l'harmonie".
ORGANISERS = [
    ("Comité des fêtes", "du comité des fêtes"), ("Amicale laïque", "de l'amicale laïque"),
    ("Club de football", "du club de football"), ("Chorale", "de la chorale"),
    ("Club de l'amitié", "du club de l'amitié"), ("Cercle celtique", "du cercle celtique"),
    ("Harmonie municipale", "de l'harmonie municipale"),
    ("Club de tennis de table", "du club de tennis de table"),
    ("Association des parents d'élèves", "de l'association des parents d'élèves"),
    ("Les Randonneurs", "des Randonneurs"), ("Club de judo", "du club de judo"),
    ("Troupe de théâtre", "de la troupe de théâtre"), ("Club de basket", "du club de basket"),
    ("Amicale des donneurs de sang", "de l'amicale des donneurs de sang"),
    ("Société de chasse", "de la société de chasse"), ("Club photo", "du club photo"),
]
ACTIVITIES = [
    "Loto", "Concert", "Tournoi de pétanque", "Bal", "Repas dansant", "Exposition",
    "Soirée jeux", "Randonnée", "Vide-grenier", "Atelier", "Spectacle", "Conférence",
    "Fest-noz", "Bourse aux vêtements", "Tournoi", "Concours de belote", "Portes ouvertes",
    "Assemblée générale", "Soirée crêpes", "Sortie nature",
]
NEWS_TITLES = [
    "Rénovation de {subject} : les travaux commencent",
    "{Subject} : ouverture prévue au printemps",
    "Retour en images sur {occasion}",
    "{Subject} fait peau neuve",
    "Concertation : donnez votre avis sur {subject}",
    "Le conseil municipal vote le budget pour {subject}",
    "Inauguration de {subject}",
    "{Subject} : nouveaux horaires",
    "Appel aux bénévoles pour {occasion}",
    "{Organiser} fête ses {number} ans",
    "Bilan de {occasion} : une édition réussie",
    "Sécurité routière : des aménagements près de {subject}",
]
SENTENCES = [
    "Le conseil municipal a validé le projet lors de sa dernière séance.",
    "Les travaux dureront environ {number} semaines.",
    "Le chantier est financé avec le soutien du département et de l'intercommunalité.",
    "Les habitants sont invités à une réunion publique à la mairie.",
    "Plus de {hundreds} personnes ont participé à l'édition précédente.",
    "Les bénévoles préparent l'événement depuis plusieurs mois.",
    "L'accès se fera par la rue de la Mairie pendant la durée du chantier.",
    "Un registre est à la disposition du public à l'accueil de la mairie.",
    "Les enfants des écoles ont été associés au projet.",
    "Le coût total de l'opération s'élève à {number} 000 euros.",
    "Des panneaux d'information seront installés sur place.",
    "Les horaires définitifs seront publiés dans le prochain bulletin municipal.",
    "Le maire a salué l'engagement des agents municipaux et des bénévoles.",
    "Cette démarche s'inscrit dans le plan de transition écologique de la commune.",
    "Les personnes à mobilité réduite pourront stationner à proximité immédiate.",
    "Renseignements et inscriptions à l'accueil de la mairie.",
    "Le programme détaillé est disponible en mairie et chez les commerçants.",
    "Une buvette et une petite restauration seront proposées sur place.",
    "La participation est libre et ouverte à tous, petits et grands.",
    "Le stationnement sera interdit aux abords pendant toute la journée.",
    "Les élus tiendront une permanence le samedi matin pour répondre aux questions.",
    "Les riverains recevront un courrier détaillant les modalités.",
    "Le bénéfice sera reversé à une association locale de solidarité.",
    "Les inscriptions sont ouvertes jusqu'à la fin du mois.",
    "Les produits proposés viennent des fermes des environs.",
    "La commune remercie les partenaires qui ont rendu ce projet possible.",
    "Un covoiturage peut être organisé depuis la place de l'Église.",
    "Pensez à apporter votre gobelet réutilisable.",
    "En cas de pluie, l'animation se tiendra dans la salle polyvalente.",
    "Les résultats seront affichés à la mairie et publiés sur ce site.",
]
ALERT_TITLES = [
    ("Coupure d'eau {street}", 3), ("Route barrée {street}", 2),
    ("Vigilance jaune orages", 2), ("Vigilance orange vent violent", 2),
    ("Collecte des déchets décalée", 1), ("Fermeture exceptionnelle de la mairie", 1),
    ("Travaux sur le réseau électrique {street}", 1), ("Stationnement interdit {street}", 1),
    ("Chute d'arbre : route coupée", 3), ("Épisode de pollution de l'air", 2),
    ("Baignade interdite au plan d'eau", 2), ("Fuite de gaz : périmètre de sécurité", 3),
]
STREETS = [
    "rue de la Mairie", "rue des Écoles", "rue du Stade", "place de l'Église",
    "route de la Loire", "chemin du Marais", "rue de la Gare", "allée des Tilleuls",
    "rue du Port", "impasse des Mimosas", "route de Nantes", "rue Jean-Jaurès",
]
INFO_TITLES = [
    ("Horaires de {service}", "town_hall"), ("Inscriptions à {service}", "schools"),
    ("Tarifs de {service}", "other"), ("Démarches : {procedure}", "town_hall"),
    ("Collecte des {waste}", "waste"), ("Transports : {transport}", "transport"),
    ("Santé : {health}", "health"), ("Urbanisme : {planning}", "housing"),
]
SERVICES = [
    "la médiathèque", "l'accueil de loisirs", "la déchèterie", "la piscine intercommunale",
    "l'agence postale", "la salle polyvalente", "le restaurant scolaire",
    "le relais petite enfance", "la maison France Services", "l'école de musique",
]
PROCEDURES = [
    "carte d'identité et passeport", "recensement citoyen", "inscription sur les listes "
    "électorales", "PACS", "mariage", "acte de naissance", "déclaration de chien dangereux",
]
WASTE = ["encombrants", "déchets verts", "sacs jaunes", "textiles", "piles et ampoules"]
TRANSPORT = ["lignes de car", "transport scolaire", "transport à la demande", "covoiturage",
             "horaires des trains"]
HEALTH = ["médecins de garde", "pharmacies de garde", "vaccination", "maison de santé"]
PLANNING = ["permis de construire", "déclaration préalable", "plan local d'urbanisme",
            "aides à la rénovation"]
SURNAMES = [
    "Guérin", "Le Goff", "Rialland", "Bouvier", "Halgand", "Thébaud", "Mahé", "Olivier",
    "Perraud", "Chauvet", "Rousseau", "Guillou", "Lebrun", "Moreau", "Jouan", "Deniaud",
    "Aoustin", "Legal", "Tessier", "Noblet", "Pichon", "Cadoret", "Brière", "Evain",
]
SHOPS = [
    "Boulangerie", "Boucherie-charcuterie", "Garage", "Coiffure", "Fleuriste", "Pharmacie",
    "Épicerie", "Bar-tabac", "Librairie-presse", "Plomberie-chauffage", "Menuiserie",
    "Auto-école", "Restaurant", "Crêperie", "Institut de beauté", "Électricité générale",
]
PUBLIC_SERVICES = [
    "Relais petite enfance", "Maison France Services", "Centre médico-social",
    "Point information jeunesse", "Déchèterie", "Piscine intercommunale", "Office de tourisme",
    "Centre d'incendie et de secours", "Accueil de loisirs", "École de musique",
]
# (producer, its products with the months they are sold)
PRODUCERS = [
    ("Maraîchage", [("Tomates", (7, 8, 9)), ("Salades", (4, 5, 6, 7, 8, 9, 10)),
                    ("Poireaux", (10, 11, 12, 1, 2)), ("Pommes de terre", (6, 7, 8, 9, 10, 11)),
                    ("Courges", (9, 10, 11, 12))]),
    ("Ferme laitière", [("Lait cru", tuple(range(1, 13))), ("Beurre", tuple(range(1, 13))),
                        ("Yaourts", tuple(range(1, 13)))]),
    ("Rucher", [("Miel de printemps", (6, 7, 8, 9, 10, 11, 12)),
                ("Miel de châtaignier", (9, 10, 11, 12, 1, 2))]),
    ("Volailles fermières", [("Poulets", tuple(range(1, 13))), ("Œufs", tuple(range(1, 13))),
                             ("Chapons", (12,))]),
    ("Verger", [("Pommes", (9, 10, 11, 12, 1, 2)), ("Jus de pomme", tuple(range(1, 13)))]),
    ("Chèvrerie", [("Fromages de chèvre", (3, 4, 5, 6, 7, 8, 9, 10))]),
    ("Élevage bovin", [("Colis de viande", (3, 6, 9, 12))]),
    ("Fraiseraie", [("Fraises", (5, 6, 7)), ("Confitures", tuple(range(1, 13)))]),
]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(number=rng.randint(2, 40),
                                        hundreds=rng.randint(1, 9) * 100)


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def news_title(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return rng.choice(NEWS_TITLES).format(
        subject=subject, Subject=subject[0].upper() + subject[1:],
        occasion=rng.choice(OCCASIONS), Organiser=rng.choice(ORGANISERS)[0],
        number=rng.choice([10, 20, 25, 30, 40, 50]),
    )


def event_title(rng: random.Random) -> tuple[str, str]:
    """Return (title, organiser)."""
    organiser, of_organiser = rng.choice(ORGANISERS)
    return f"{rng.choice(ACTIVITIES)} {of_organiser}", organiser


def alert_title(rng: random.Random) -> tuple[str, int]:
    """Return (title, severity)."""
    title, severity = rng.choice(ALERT_TITLES)
    return title.format(street=rng.choice(STREETS)), severity


def info_title(rng: random.Random) -> tuple[str, str]:
    """Return (title, topic)."""
    title, topic = rng.choice(INFO_TITLES)
    return title.format(
        service=rng.choice(SERVICES), procedure=rng.choice(PROCEDURES),
        waste=rng.choice(WASTE), transport=rng.choice(TRANSPORT), health=rng.choice(HEALTH),
        planning=rng.choice(PLANNING),
    ), topic


def street_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 60)} {rng.choice(STREETS)}"

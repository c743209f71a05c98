"""Demo news: what a town hall publishes over a few weeks."""

from ..items import NewsItem

NEWS = [
    NewsItem(
        key="travaux-centre-bourg",
        title="Travaux d'aménagement du centre-bourg : le point",
        lead="La deuxième tranche des travaux de la {square} démarre lundi. "
             "La circulation sera alternée pendant trois semaines.",
        body=(
            "Après l'enfouissement des réseaux cet été, l'entreprise attaque la réfection "
            "des trottoirs et la création d'un plateau ralenti devant l'école.",
            "Le stationnement est interdit côté pair pendant toute la durée du chantier. "
            "Les commerces restent ouverts et accessibles à pied : pensez à eux !",
            "Les riverains peuvent poser leurs questions lors de la permanence des élus, "
            "chaque samedi de 10 h à 12 h à la mairie.",
        ),
        categories=("travaux",),
        days_ago=3,
        en={
            "title": "Town centre improvement works: an update",
            "lead": "The second phase of the works on the {square} starts on Monday. "
                    "Traffic will be controlled by lights for three weeks.",
            "body": (
                "After the cables were buried this summer, the contractor is now rebuilding "
                "the pavements and adding a raised crossing in front of the school.",
                "Parking is forbidden on the even-numbered side for the whole duration of the "
                "works. Shops stay open and can be reached on foot: support them!",
                "Residents can ask their questions at the councillors' drop-in session, "
                "every Saturday from 10 am to noon at the town hall.",
            ),
        },
    ),
    NewsItem(
        key="inscriptions-scolaires",
        title="Inscriptions scolaires pour la rentrée prochaine",
        lead="Les familles des enfants nés l'an dernier ou arrivés dans la commune peuvent "
             "dès maintenant inscrire leurs enfants à l'école.",
        body=(
            "L'inscription se fait d'abord en mairie, sur présentation du livret de famille, "
            "d'un justificatif de domicile et du carnet de santé de l'enfant.",
            "La directrice reçoit ensuite les familles sur rendez-vous pour une visite de "
            "l'école et un temps d'échange avec l'équipe enseignante.",
        ),
        categories=("enfance-jeunesse",),
        days_ago=9,
    ),
    NewsItem(
        key="retour-forum-associations",
        title="Forum des associations : une belle affluence",
        lead="Plus de trente associations étaient réunies samedi pour accueillir les habitants.",
        body=(
            "Sport, culture, solidarité, loisirs : le forum a une nouvelle fois montré la "
            "vitalité du tissu associatif de {commune}.",
            "Les associations qui n'ont pas pu être présentes peuvent se faire connaître "
            "auprès de la mairie pour figurer dans l'annuaire en ligne.",
        ),
        categories=("vie-associative",),
        days_ago=24,
    ),
    NewsItem(
        key="mediatheque-horaires",
        title="La médiathèque élargit ses horaires",
        lead="À partir du mois prochain, la médiathèque ouvre aussi le mercredi matin et "
             "le samedi après-midi.",
        body=(
            "Ces nouveaux créneaux répondent à la demande des familles et des lecteurs qui "
            "travaillent en semaine.",
            "L'inscription reste gratuite pour tous les habitants de {epci}. "
            "Le portail en ligne permet de réserver livres, jeux et DVD.",
        ),
        categories=("culture",),
        days_ago=12,
        en={
            "title": "The media library extends its opening hours",
            "lead": "From next month, the media library also opens on Wednesday mornings "
                    "and Saturday afternoons.",
            "body": (
                "These new slots answer requests from families and from readers who work "
                "during the week.",
                "Membership remains free for every resident of {epci}. "
                "Books, games and DVDs can be reserved on the online portal.",
            ),
        },
    ),
    NewsItem(
        key="conseil-municipal-enfants",
        title="Le conseil municipal des enfants est élu",
        lead="Quinze élèves de CM1 et CM2 siégeront pendant deux ans au conseil municipal "
             "des enfants.",
        body=(
            "Leurs premiers projets : un hôtel à insectes près de l'école, une journée de "
            "ramassage des déchets et une boîte à idées à la mairie.",
            "Félicitations aux jeunes élus et merci aux enseignants qui ont organisé la "
            "campagne et le vote.",
        ),
        categories=("enfance-jeunesse",),
        days_ago=31,
    ),
    NewsItem(
        key="nettoyons-la-nature",
        title="Opération « Nettoyons la nature » : 300 kg de déchets ramassés",
        lead="Une soixantaine de bénévoles ont arpenté {nature} dimanche matin.",
        body=(
            "Canettes, plastiques, pneus et même un réfrigérateur : la récolte a été "
            "abondante. Le tri a été fait sur place avec l'aide des agents de {epci}.",
            "Rendez-vous au printemps pour une nouvelle édition, avec les écoles cette fois.",
        ),
        categories=("environnement", "dechets"),
        days_ago=17,
    ),
    NewsItem(
        key="recensement",
        title="Recensement de la population : les agents recenseurs passeront chez vous",
        lead="Le recensement a lieu de la mi-janvier à la mi-février. Un agent recenseur, "
             "muni d'une carte officielle, déposera vos codes pour répondre en ligne.",
        body=(
            "Le recensement détermine la population officielle de {commune}, dont dépendent "
            "la dotation de l'État et le nombre d'élus au conseil municipal.",
            "Vos réponses sont confidentielles et ne sont transmises qu'à l'Insee.",
        ),
        categories=(),
        days_ago=5,
    ),
    NewsItem(
        key="nouvelle-boulangerie",
        title="Une nouvelle boulangerie ouvre ses portes",
        lead="Après six mois de fermeture, le fournil de la {square} reprend du service.",
        body=(
            "Les nouveaux boulangers travaillent des farines de meuniers du département et "
            "proposent un pain au levain cuit au feu de bois le vendredi.",
            "La boulangerie est ouverte du mardi au dimanche midi.",
        ),
        categories=("economie-locale",),
        days_ago=20,
    ),
    NewsItem(
        key="fibre-optique",
        title="Fibre optique : les derniers quartiers raccordables",
        lead="Les habitations des hameaux situés autour {of_farm_place} peuvent désormais "
             "souscrire un abonnement à la fibre.",
        body=(
            "Pour vérifier votre éligibilité, consultez la carte en ligne du réseau "
            "départemental avec votre adresse.",
            "Un conseiller numérique tient une permanence à la mairie le premier jeudi du "
            "mois pour aider les personnes peu à l'aise avec les démarches.",
        ),
        categories=(),
        days_ago=40,
    ),
    NewsItem(
        key="eclairage-public",
        title="Éclairage public : passage aux LED et extinction nocturne",
        lead="L'éclairage public sera éteint de 23 h à 5 h 30, sauf sur les axes principaux.",
        body=(
            "Le remplacement des lampadaires par des luminaires LED divise par trois la "
            "consommation d'électricité de la commune.",
            "L'extinction nocturne protège aussi la faune de {nature}, sensible à la "
            "pollution lumineuse.",
        ),
        categories=("environnement", "travaux"),
        days_ago=45,
    ),
    NewsItem(
        key="nouveaux-habitants",
        title="Bienvenue aux nouveaux habitants",
        lead="Vous venez d'emménager à {commune} ? Les élus vous invitent à un moment "
             "convivial le mois prochain.",
        body=(
            "Au programme : présentation des services municipaux, visite du bourg et "
            "rencontre avec les associations, autour d'un verre.",
            "Inscrivez-vous à l'accueil de la mairie pour recevoir votre invitation.",
        ),
        categories=("vie-associative",),
        days_ago=2,
    ),
    NewsItem(
        key="collecte-solidaire",
        title="Collecte solidaire : merci pour votre générosité",
        lead="La banque alimentaire a recueilli plus d'une tonne de denrées lors de sa "
             "collecte dans les commerces de {commune}.",
        body=(
            "Les produits seront distribués aux familles accompagnées par le centre "
            "communal d'action sociale tout au long de l'hiver.",
            "La prochaine collecte aura lieu au printemps ; les bénévoles sont les bienvenus.",
        ),
        categories=("solidarite",),
        days_ago=28,
    ),
]

"""Demo directory: associations, shops, public services and producers (circuits courts)."""

from ..items import DirectoryItem, MarketDay, PickupPoint, Product, Slot

ALL_YEAR = tuple(range(1, 13))


def hours(days: str, *ranges: tuple[str, str]) -> tuple[Slot, ...]:
    """Opening slots for each of `days` ("tue wed thu"), with the same time ranges."""
    return tuple((day, opens, closes) for day in days.split() for opens, closes in ranges)


ASSOCIATIONS = [
    DirectoryItem(
        key="comite-des-fetes",
        title="Comité des fêtes de {commune}",
        kind="association",
        description="<p>Vide-grenier, fête de la musique, marché de Noël : le comité des "
                    "fêtes anime la commune toute l'année et prête son matériel aux autres "
                    "associations.</p><p>Les nouveaux bénévoles sont toujours les "
                    "bienvenus.</p>",
        address="Maison des associations, {square}, {postcode} {commune}",
        email="comite.fetes.{slug}@asso.example",
        categories=("fete", "vie-associative"),
    ),
    DirectoryItem(
        key="union-sportive",
        title="Union sportive de {commune} (football)",
        kind="association",
        description="<p>Football pour tous dès 5 ans : école de foot, équipes jeunes, seniors "
                    "et vétérans, section féminine.</p><p>Entraînements le mercredi et le "
                    "vendredi au stade municipal.</p>",
        address="Stade municipal, rue du Stade, {postcode} {commune}",
        email="contact.us.{slug}@asso.example",
        website="https://us-{slug}.example",
        categories=("sport", "enfance-jeunesse"),
    ),
    DirectoryItem(
        key="amicale-laique",
        title="Amicale laïque",
        kind="association",
        description="<p>Théâtre, yoga, couture, tennis de table et sorties culturelles. "
                    "L'amicale soutient aussi les projets de l'école publique.</p>",
        address="Salle de l'amicale, rue des Écoles, {postcode} {commune}",
        email="amicale.{slug}@asso.example",
        categories=("culture", "vie-associative"),
    ),
    DirectoryItem(
        key="randonneurs",
        title="Les Randonneurs de {commune}",
        kind="association",
        description="<p>Randonnées le mardi après-midi et le dimanche matin, de 8 à 20 km, "
                    "pour découvrir {nature} et les sentiers du département.</p>",
        address="{square}, {postcode} {commune}",
        email="randonneurs.{slug}@asso.example",
        categories=("nature-randonnee", "sport"),
    ),
    DirectoryItem(
        key="club-amitie",
        title="Club de l'amitié",
        kind="association",
        description="<p>Le club des aînés se retrouve le jeudi après-midi : belote, scrabble, "
                    "goûter et, chaque mois, une sortie en car.</p>",
        address="Foyer des aînés, {square}, {postcode} {commune}",
        categories=("solidarite", "vie-associative"),
    ),
    DirectoryItem(
        key="amap",
        title="AMAP de {commune}",
        kind="association",
        description="<p>Une association pour le maintien d'une agriculture paysanne : "
                    "chaque semaine, un panier de légumes, et selon les contrats du pain, "
                    "des œufs, du fromage ou de la viande des fermes voisines.</p>",
        address="{square}, {postcode} {commune}",
        email="amap.{slug}@asso.example",
        categories=("economie-locale", "environnement"),
    ),
]

SHOPS = [
    DirectoryItem(
        key="boulangerie",
        title="Boulangerie-pâtisserie du Bourg",
        kind="shop",
        description="<p>Pains au levain, viennoiseries pur beurre et gâteau breton maison. "
                    "Pain cuit au feu de bois le vendredi.</p>",
        address="3 {square}, {postcode} {commune}",
        opening_hours=(*hours("tue wed thu fri sat", ("07:00", "13:00"), ("15:30", "19:30")),
                       ("sun", "07:00", "12:30")),
        categories=("economie-locale",),
    ),
    DirectoryItem(
        key="bar-tabac",
        title="Le Café de la Place (bar, tabac, presse)",
        kind="shop",
        description="<p>Bar, tabac, presse, point relais colis et dépôt de pain le lundi.</p>",
        address="1 {square}, {postcode} {commune}",
        opening_hours=(*hours("mon tue wed thu fri", ("07:00", "20:00")),
                       *hours("sat sun", ("08:00", "13:00"))),
        categories=("economie-locale",),
    ),
    DirectoryItem(
        key="epicerie",
        title="L'Épicerie du Bourg",
        kind="shop",
        description="<p>Épicerie de proximité : produits frais, vrac, et un rayon de produits "
                    "des fermes de la commune.</p>",
        address="8 rue de l'Église, {postcode} {commune}",
        opening_hours=hours("tue wed thu fri sat", ("08:30", "12:30"), ("15:00", "19:00")),
        categories=("economie-locale",),
    ),
    DirectoryItem(
        key="coiffure",
        title="Salon de coiffure Ciseaux d'Or",
        kind="shop",
        description="<p>Coiffure femmes, hommes et enfants, sur rendez-vous.</p>",
        address="12 rue de la Mairie, {postcode} {commune}",
        opening_hours=(*hours("tue wed thu fri", ("09:00", "12:00"), ("14:00", "19:00")),
                       ("sat", "08:30", "16:00")),
        categories=("economie-locale",),
    ),
]

PUBLIC_SERVICES = [
    DirectoryItem(
        key="mediatheque",
        title="Médiathèque municipale",
        kind="public_service",
        description="<p>Livres, BD, revues, jeux de société et DVD ; accès internet et aide "
                    "aux démarches en ligne. Inscription gratuite.</p>",
        address="Rue des Écoles, {postcode} {commune}",
        opening_hours=(("tue", "16:00", "18:30"), ("wed", "10:00", "12:00"),
                       ("wed", "14:00", "18:00"), ("fri", "16:00", "18:30"),
                       ("sat", "10:00", "12:30")),
        email="mediatheque@{slug}.example",
        categories=("culture",),
    ),
    DirectoryItem(
        key="agence-postale",
        title="Agence postale communale",
        kind="public_service",
        description="<p>Lettres et colis, retrait des instances, vente de timbres et "
                    "d'emballages, retraits d'espèces pour les clients de la Banque "
                    "postale.</p>",
        address="Mairie, {square}, {postcode} {commune}",
        opening_hours=hours("mon tue wed thu fri", ("09:00", "12:00")) + (
            ("sat", "09:00", "11:30"),),
        categories=(),
    ),
    DirectoryItem(
        key="ccas",
        title="Centre communal d'action sociale (CCAS)",
        kind="public_service",
        description="<p>Aide aux démarches, aides d'urgence, portage de repas à domicile, "
                    "registre des personnes vulnérables. Accueil confidentiel sur "
                    "rendez-vous.</p>",
        address="Mairie, {square}, {postcode} {commune}",
        opening_hours=hours("mon thu", ("09:00", "12:00")),
        email="ccas@{slug}.example",
        categories=("solidarite", "sante"),
    ),
]

PRODUCERS = [
    DirectoryItem(
        key="maraicher",
        title="Les Jardins {of_farm_place} (maraîchage bio)",
        kind="producer",
        description="<p>Légumes de saison cultivés en agriculture biologique sur trois "
                    "hectares, sans chauffage des serres.</p><p>Vente à la ferme, sur les "
                    "marchés et en paniers pour l'AMAP.</p>",
        address="{farm_place}, {postcode} {commune}",
        opening_hours=hours("fri", ("16:00", "19:00")),
        email="jardins.{slug}@ferme.example",
        products=(
            Product(name="Tomates anciennes", months=(7, 8, 9)),
            Product(name="Courgettes", months=(6, 7, 8, 9)),
            Product(name="Salades", months=(4, 5, 6, 7, 8, 9, 10, 11)),
            Product(name="Poireaux", months=(10, 11, 12, 1, 2, 3)),
            Product(name="Carottes", months=(6, 7, 8, 9, 10, 11, 12)),
            Product(name="Fraises", months=(5, 6)),
            Product(name="Courges", months=(9, 10, 11, 12, 1)),
        ),
        market_days=(
            MarketDay(place="Marché de {commune}, {square}", day="sat",
                      opens="08:00", closes="12:30"),
            MarketDay(place="Marché de {neighbour}", day="wed", opens="08:00", closes="12:30"),
        ),
        pickup_points=(
            PickupPoint(name="À la ferme", address="{farm_place}, {postcode} {commune}",
                        schedule="vendredi 16 h – 19 h", at_producer=True),
            PickupPoint(name="AMAP de {commune}", address="{square}, {postcode} {commune}",
                        schedule="jeudi 18 h 30 – 19 h 30"),
        ),
        categories=("economie-locale", "marche"),
        en={
            "title": "{farm_place} market garden (organic vegetables)",
            "description": "<p>Seasonal vegetables grown organically on three hectares, in "
                           "unheated greenhouses.</p><p>Sold at the farm, at markets and in "
                           "weekly boxes for the AMAP.</p>",
        },
    ),
    DirectoryItem(
        key="ferme-laitiere",
        title="Ferme laitière {of_farm_place}",
        kind="producer",
        description="<p>Soixante vaches normandes et prim'holstein nourries à l'herbe des "
                    "prairies humides. Lait cru, beurre et fromages transformés à la "
                    "ferme.</p>",
        address="{farm_place}, {postcode} {commune}",
        email="ferme.{slug}@ferme.example",
        products=(
            Product(name="Lait cru", months=ALL_YEAR),
            Product(name="Beurre demi-sel", months=ALL_YEAR),
            Product(name="Fromage blanc et yaourts", months=ALL_YEAR),
            Product(name="Tomme fermière", months=(4, 5, 6, 7, 8, 9, 10, 11, 12)),
        ),
        market_days=(
            MarketDay(place="Marché de {neighbour}", day="sat", opens="08:00", closes="13:00"),
        ),
        pickup_points=(
            PickupPoint(name="Distributeur de lait à la ferme",
                        address="{farm_place}, {postcode} {commune}",
                        schedule="tous les jours, 8 h – 20 h", at_producer=True),
            PickupPoint(name="L'Épicerie du Bourg", address="8 rue de l'Église, {postcode} "
                        "{commune}", schedule="du mardi au samedi"),
        ),
        categories=("economie-locale",),
    ),
    DirectoryItem(
        key="apiculteur",
        title="Le Rucher {of_farm_place} (apiculteur)",
        kind="producer",
        description="<p>Cent vingt ruches installées entre bocage et marais. Miels récoltés "
                    "et mis en pot à la miellerie, sans chauffage.</p>",
        address="{farm_place}, {postcode} {commune}",
        email="rucher.{slug}@ferme.example",
        products=(
            Product(name="Miel de printemps", months=(6, 7, 8, 9, 10, 11, 12)),
            Product(name="Miel toutes fleurs d'été", months=(8, 9, 10, 11, 12, 1, 2, 3)),
            Product(name="Miel de châtaignier", months=(9, 10, 11, 12, 1, 2, 3, 4)),
            Product(name="Pollen frais", months=(4, 5, 6)),
            Product(name="Pain d'épices", months=(10, 11, 12)),
        ),
        market_days=(
            MarketDay(place="Marché de {commune}, {square}", day="sat",
                      opens="08:30", closes="12:30"),
        ),
        pickup_points=(
            PickupPoint(name="À la miellerie, sur rendez-vous",
                        address="{farm_place}, {postcode} {commune}",
                        schedule="sur rendez-vous", at_producer=True),
        ),
        categories=("economie-locale", "environnement"),
        en={
            "title": "{farm_place} apiary (beekeeper)",
            "description": "<p>A hundred and twenty hives between hedgerows and marshes. "
                           "Honey extracted and jarred at the honey house, never "
                           "heated.</p>",
        },
    ),
    DirectoryItem(
        key="volailles",
        title="Volailles fermières {of_farm_place}",
        kind="producer",
        description="<p>Poulets, pintades et canards élevés en plein air, nourris aux céréales "
                    "de la ferme, abattus et découpés sur place.</p>",
        address="{farm_place}, {postcode} {commune}",
        products=(
            Product(name="Poulets fermiers", months=ALL_YEAR),
            Product(name="Œufs de plein air", months=ALL_YEAR),
            Product(name="Pintades", months=(3, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
            Product(name="Chapons", months=(12,)),
        ),
        market_days=(
            MarketDay(place="Marché de {neighbour}", day="fri", opens="16:00", closes="19:00"),
        ),
        pickup_points=(
            PickupPoint(name="À la ferme", address="{farm_place}, {postcode} {commune}",
                        schedule="vendredi 14 h – 18 h, samedi 9 h – 12 h", at_producer=True),
        ),
        categories=("economie-locale",),
    ),
    DirectoryItem(
        key="verger",
        title="Le Verger {of_farm_place}",
        kind="producer",
        description="<p>Pommes et poires de variétés anciennes, jus et cidre fermier. "
                    "Verger en conversion à l'agriculture biologique.</p>",
        address="{farm_place}, {postcode} {commune}",
        products=(
            Product(name="Pommes", months=(9, 10, 11, 12, 1, 2, 3)),
            Product(name="Poires", months=(8, 9, 10, 11)),
            Product(name="Jus de pomme", months=ALL_YEAR),
            Product(name="Cidre fermier", months=ALL_YEAR),
        ),
        pickup_points=(
            PickupPoint(name="Au verger", address="{farm_place}, {postcode} {commune}",
                        schedule="samedi 9 h – 12 h, de septembre à mars", at_producer=True),
            PickupPoint(name="AMAP de {commune}", address="{square}, {postcode} {commune}",
                        schedule="jeudi 18 h 30 – 19 h 30"),
        ),
        categories=("economie-locale",),
    ),
    DirectoryItem(
        key="chevrerie",
        title="Chèvrerie {of_farm_place}",
        kind="producer",
        description="<p>Quarante chèvres alpines au pâturage et des fromages au lait cru : "
                    "frais, affinés et tommes.</p>",
        address="{farm_place}, {postcode} {commune}",
        products=(
            Product(name="Fromages frais", months=(3, 4, 5, 6, 7, 8, 9, 10)),
            Product(name="Crottins affinés", months=(4, 5, 6, 7, 8, 9, 10, 11, 12)),
            Product(name="Tomme de chèvre", months=(6, 7, 8, 9, 10, 11, 12, 1)),
        ),
        market_days=(
            MarketDay(place="Marché de {commune}, {square}", day="sat",
                      opens="08:00", closes="12:30"),
            MarketDay(place="Marché de {neighbour}", day="sun", opens="08:30", closes="12:30"),
        ),
        categories=("economie-locale", "marche"),
    ),
]

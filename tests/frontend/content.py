"""Demo content for the resident-site tests (views and browser)."""

import datetime as dt

from django.utils import timezone

from cms.content.models import (
    AlertSeverity,
    DirectoryKind,
)
from tests.factories import (
    CategoryFactory,
    make_alert,
    make_directory,
    make_event,
    make_info,
    make_news,
)


def build_site_content(commune, neighbour_commune):
    """Donges with a little of everything, and an event in Montoir (a neighbour)."""
    market = CategoryFactory(name="Marché", slug="marche")
    culture = CategoryFactory(name="Culture", slug="culture")
    now = timezone.now()
    own_event = make_event(commune, title="Concert à l'église",
                           start=now + dt.timedelta(days=2), venue_name="Église Saint-Martin",
                           summary="Chorale et orgue pour la Saint-Nicolas.",
                           latitude=47.318, longitude=-2.075)
    own_event.categories.add(culture)
    own_event.save_revision().publish()
    market_event = make_event(commune, title="Marché du samedi",
                              start=now + dt.timedelta(days=4))
    market_event.categories.add(market)
    market_event.save_revision().publish()
    neighbour_event = make_event(neighbour_commune, title="Bal du port",
                                 start=now + dt.timedelta(days=3))
    news = make_news(commune, title="Travaux rue de la Gare",
                     lead="La rue sera fermée.")
    alert = make_alert(commune, title="Coupure d'eau", severity=AlertSeverity.URGENT)
    info = make_info(commune, title="Horaires de la mairie",
                     summary="Ouverte du lundi au samedi.")
    association = make_directory(commune, title="Club de foot",
                                 kind=DirectoryKind.ASSOCIATION, latitude=47.32, longitude=-2.07)
    producer = make_directory(
        neighbour_commune, title="Ferme des Marais", kind=DirectoryKind.PRODUCER,
        products=[("product", {"name": "Miel de fleurs", "months": ["5", "6", "7"]})],
        market_days=[("market", {"place": "Place du Marché", "day": "sat",
                                 "opens": dt.time(8), "closes": dt.time(13)})],
        latitude=47.33, longitude=-2.15)
    return {"own_event": own_event, "market_event": market_event,
            "neighbour_event": neighbour_event, "news": news, "alert": alert, "info": info,
            "association": association, "producer": producer,
            "market": market, "culture": culture}

"""Demo content for the resident-site tests (views and browser)."""

import datetime as dt

from django.utils import timezone

from cms.content.models import (
    AlertIndexPage,
    AlertSeverity,
    DirectoryIndexPage,
    DirectoryKind,
    EventIndexPage,
    InfoIndexPage,
    NewsIndexPage,
)
from tests.factories import (
    AlertPageFactory,
    CategoryFactory,
    DirectoryEntryPageFactory,
    EventPageFactory,
    InfoPageFactory,
    NewsPageFactory,
    section,
)


def build_site_content(commune, neighbour_commune):
    """Donges with a little of everything, and an event in Montoir (a neighbour)."""
    market = CategoryFactory(name="Marché", slug="marche")
    culture = CategoryFactory(name="Culture", slug="culture")
    now = timezone.now()
    own_event = EventPageFactory(
        parent=section(commune, EventIndexPage), title="Concert à l'église",
        start=now + dt.timedelta(days=2), venue_name="Église Saint-Martin",
        summary="Chorale et orgue pour la Saint-Nicolas.",
        latitude=47.318, longitude=-2.075)
    own_event.categories.add(culture)
    own_event.save_revision().publish()
    market_event = EventPageFactory(
        parent=section(commune, EventIndexPage), title="Marché du samedi",
        start=now + dt.timedelta(days=4))
    market_event.categories.add(market)
    market_event.save_revision().publish()
    neighbour_event = EventPageFactory(
        parent=section(neighbour_commune, EventIndexPage), title="Bal du port",
        start=now + dt.timedelta(days=3))
    news = NewsPageFactory(parent=section(commune, NewsIndexPage), title="Travaux rue de la Gare",
                           lead="La rue sera fermée.")
    alert = AlertPageFactory(parent=section(commune, AlertIndexPage),
                             title="Coupure d'eau", severity=AlertSeverity.URGENT)
    info = InfoPageFactory(parent=section(commune, InfoIndexPage), title="Horaires de la mairie",
                           summary="Ouverte du lundi au samedi.")
    association = DirectoryEntryPageFactory(
        parent=section(commune, DirectoryIndexPage), title="Club de foot",
        kind=DirectoryKind.ASSOCIATION, latitude=47.32, longitude=-2.07)
    producer = DirectoryEntryPageFactory(
        parent=section(neighbour_commune, DirectoryIndexPage), title="Ferme des Marais",
        kind=DirectoryKind.PRODUCER,
        products=[("product", {"name": "Miel de fleurs", "months": ["5", "6", "7"]})],
        market_days=[("market", {"place": "Place du Marché", "day": "sat",
                                 "opens": dt.time(8), "closes": dt.time(13)})],
        latitude=47.33, longitude=-2.15)
    return {"own_event": own_event, "market_event": market_event,
            "neighbour_event": neighbour_event, "news": news, "alert": alert, "info": info,
            "association": association, "producer": producer,
            "market": market, "culture": culture}

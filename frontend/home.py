"""The commune home: its alerts, news, directory and practical information, and the
upcoming events of the commune and its neighbours.

CommuneHomePage.get_context delegates here; every list comes from cms.readmodel.listings.
"""

from django.db.models import Prefetch, prefetch_related_objects

from cms.communes.models import CommuneHomePage
from cms.content.models import Category
from cms.readmodel import listings as selectors

EVENTS_SHOWN = 8

# What the cards of the home's own listings read (commune_home_page.html, alerts.html,
# news_card.html): loading only these skips the bodies and StreamFields (JSON decoded
# per row) and most of the columns the ORM compiles. The tree fields are what page_url
# reads. A card reading a field left out costs a query per card: tests/frontend
# (test_home.py, test_queries.py) fail then.
CARD_FIELDS = ("id", "path", "depth", "url_path", "title", "slug", "locale_id",
               "translation_key", "content_type_id", "live")
ALERT_FIELDS = (*CARD_FIELDS, "severity")
NEWS_FIELDS = (*CARD_FIELDS, "date", "lead", "image")
DIRECTORY_FIELDS = (*CARD_FIELDS, "kind")
INFO_FIELDS = (*CARD_FIELDS, "summary")
# The cards' category pictogram: one query per list, the names and slugs only.
CARD_CATEGORIES = Prefetch("categories", queryset=Category.objects.only("id", "name", "slug"))
# Events, on the home and in the agenda (event_card.html, the month view, the map).
EVENT_FIELDS = (*CARD_FIELDS, "start", "end", "all_day", "venue_name", "summary", "image",
                "latitude", "longitude")


def home_context(*, commune: CommuneHomePage) -> dict:
    """The home page's listings (the neighbourhood's events from the API's read model)."""
    around = selectors.neighbourhood_summaries(commune=commune)
    # The commune's accepted shares, read once for its four own listings.
    shares = selectors.shares_accepted(communes=[commune])
    news = list(selectors.news_list(communes=[commune], shares=shares).only(*NEWS_FIELDS)[:6])
    events = selectors.with_origin(
        items=selectors.event_list_filtered(communes=around).only(*EVENT_FIELDS)[:EVENTS_SHOWN],
        communes=around)
    prefetch_related_objects(news, CARD_CATEGORIES)
    prefetch_related_objects(events, CARD_CATEGORIES)
    return {
        "alerts": selectors.alert_list_active(communes=[commune], shares=shares)
        .only(*ALERT_FIELDS)[:5],
        "news": news,
        "events": events,
        # The home lists entries without their images.
        "directory": selectors.directory_list(communes=[commune], shares=shares)
        .select_related(None).only(*DIRECTORY_FIELDS)[:6],
        "infos": selectors.info_list(communes=[commune], shares=shares).only(*INFO_FIELDS)[:6],
        "neighbours": around[1:],
    }

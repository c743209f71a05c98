"""The commune home: its alerts, news, directory and practical information, and the
upcoming events of the commune and its neighbours.

CommuneHomePage.get_context delegates here; every list comes from cms.content.selectors.
"""

from cms.communes.models import CommuneHomePage
from cms.content import selectors

EVENTS_SHOWN = 8


def home_context(*, commune: CommuneHomePage) -> dict:
    """The home page's listings (the neighbourhood's events from the API's read model)."""
    around = selectors.neighbourhood_communes(commune=commune)
    # The commune's accepted shares, read once for its four own listings.
    shares = selectors.shares_accepted(communes=[commune])
    return {
        "alerts": selectors.alert_list_active(communes=[commune], shares=shares)[:5],
        "news": selectors.news_list(communes=[commune], shares=shares)[:6],
        "events": selectors.with_origin(
            items=selectors.event_list_filtered(communes=around)[:EVENTS_SHOWN],
            communes=around,
        ),
        "directory": selectors.directory_list(communes=[commune], shares=shares)[:6],
        "infos": selectors.info_list(communes=[commune], shares=shares)[:6],
        "neighbours": around[1:],
    }

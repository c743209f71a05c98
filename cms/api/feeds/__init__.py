"""Subscriptions: RSS 2.0 and Atom (each feed of the registered kinds: news and alerts
share "news"), iCalendar (events).

Per commune, per neighbourhood (the commune and its neighbours) and per category. This
package only resolves the URL's parameters (scope), reads the lists and writes the
formats (syndication, calendar). A bad parameter answers a JSON body naming it (400, or
404 for an unknown commune), like the rest of the API.
"""

from .calendar import calendar_build, calendar_events, events_calendar
from .scope import FeedParameterError, FeedScope, scope_resolve
from .syndication import FeedItem, KindFeed, feed_items, feed_names

__all__ = [
    "FeedItem",
    "FeedParameterError",
    "FeedScope",
    "KindFeed",
    "calendar_build",
    "calendar_events",
    "events_calendar",
    "feed_items",
    "feed_names",
    "scope_resolve",
]

"""Feed routes; the API's urls include them under /api/ (include("cms.api.feed_urls"))."""

from django.urls import path

from . import feeds


def _syndication_routes():
    """RSS and Atom of each feed the registered kinds go into, for a commune and for its
    neighbourhood: /api/feeds/<commune>[/neighbourhood]/<feed>.rss|.atom."""
    for feed in feeds.feed_names():
        for neighbourhood, prefix, name in ((False, "", ""),
                                            (True, "neighbourhood/", "neighbourhood-")):
            for extension, atom in (("rss", False), ("atom", True)):
                yield path(f"feeds/<str:commune>/{prefix}{feed}.{extension}",
                           feeds.KindFeed(feed=feed, neighbourhood=neighbourhood, atom=atom),
                           name=f"feeds-{name}{feed}-{extension}")


urlpatterns = [
    # A category across every commune comes first: "category" is not a commune's slug.
    path("feeds/category/<slug:category>/events.ics", feeds.events_calendar,
         name="feeds-category-events-ics"),
    *_syndication_routes(),
    path("feeds/<str:commune>/events.ics", feeds.events_calendar, name="feeds-events-ics"),
    path("feeds/<str:commune>/neighbourhood/events.ics", feeds.events_calendar,
         {"neighbourhood": True}, name="feeds-neighbourhood-events-ics"),
]

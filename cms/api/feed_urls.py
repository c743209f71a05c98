"""Feed routes; the API's urls include them under /api/ (include("cms.api.feed_urls"))."""

from django.urls import path

from . import feeds

urlpatterns = [
    # A category across every commune comes first: "category" is not a commune's slug.
    path("feeds/category/<slug:category>/events.ics", feeds.events_calendar,
         name="feeds-category-events-ics"),
    path("feeds/<str:commune>/news.rss", feeds.NewsFeed(), name="feeds-news-rss"),
    path("feeds/<str:commune>/news.atom", feeds.NewsAtomFeed(), name="feeds-news-atom"),
    path("feeds/<str:commune>/events.ics", feeds.events_calendar, name="feeds-events-ics"),
    path("feeds/<str:commune>/neighbourhood/news.rss", feeds.NeighbourhoodNewsFeed(),
         name="feeds-neighbourhood-news-rss"),
    path("feeds/<str:commune>/neighbourhood/news.atom", feeds.NeighbourhoodNewsAtomFeed(),
         name="feeds-neighbourhood-news-atom"),
    path("feeds/<str:commune>/neighbourhood/events.ics", feeds.events_calendar,
         {"neighbourhood": True}, name="feeds-neighbourhood-events-ics"),
]

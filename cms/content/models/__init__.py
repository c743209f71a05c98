from .alerts import AlertPage, AlertSeverity
from .categories import Category
from .directory import DirectoryEntryPage, DirectoryKind
from .events import EventPage
from .indexes import (
    AlertIndexPage,
    DirectoryIndexPage,
    EventIndexPage,
    InfoIndexPage,
    NewsIndexPage,
)
from .info import InfoPage, InfoTopic
from .news import NewsPage

__all__ = [
    "AlertIndexPage",
    "AlertPage",
    "AlertSeverity",
    "Category",
    "DirectoryEntryPage",
    "DirectoryIndexPage",
    "DirectoryKind",
    "EventIndexPage",
    "EventPage",
    "InfoIndexPage",
    "InfoPage",
    "InfoTopic",
    "NewsIndexPage",
    "NewsPage",
]

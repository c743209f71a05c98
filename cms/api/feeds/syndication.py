"""RSS 2.0 and Atom feeds of the registered kinds.

A kind names the feed its items go into (`ContentKind.feed`; news and alerts share
"news") and how an item reads there (`feed_entry`). A feed lists, for each of its
kinds, what the kind's API list shows by default (the read model, shared items
included), newest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.text import capfirst
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from cms.content.kinds import ContentKind, FeedEntry, kinds
from cms.core import sanitise
from cms.readmodel import listings as content_selectors
from cms.readmodel import selectors
from cms.readmodel.jsonld import canonical_url

from ..kind_filters import kind_filters_apply
from .scope import FeedParameterError, FeedScope, cacheable, scope_resolve

FEED_SIZE = 50


def feed_names() -> list[str]:
    """The feeds the registered kinds go into, in the kinds' order."""
    return list(dict.fromkeys(kind.feed for kind in kinds() if kind.feed))


def feed_kinds(feed: str) -> list[ContentKind]:
    return [kind for kind in kinds() if kind.feed == feed]


@dataclass(frozen=True)
class FeedItem:
    page: Page
    title: str
    url: str
    guid: str
    description: str
    published: dt.datetime
    updated: dt.datetime
    author: str
    categories: tuple[str, ...]


def feed_items(*, feed: str, scope: FeedScope) -> list[FeedItem]:
    """The feed's items in scope, newest first."""
    pages = content_selectors.with_origin(
        items=[page for kind in feed_kinds(feed) for page in kind_pages(kind=kind, scope=scope)],
        communes=scope.communes)
    items = [_feed_item(page, scope) for page in pages]
    items.sort(key=lambda item: (item.published, item.page.pk), reverse=True)
    return items[:FEED_SIZE]


def kind_pages(*, kind: ContentKind, scope: FeedScope, size: int = FEED_SIZE) -> list[Page]:
    """The first pages of the kind's API list in scope (with its default filters: events
    not over yet, alerts in force), loaded with their categories."""
    now = timezone.now()
    filters = selectors.ItemFilters(
        commune_ids={commune.pk for commune in scope.communes} if scope.commune else None,
        # The read model files items by language code; feeds serve the source locale.
        locale=get_supported_content_language_variant(settings.LANGUAGE_CODE),
        categories=[scope.category.slug] if scope.category else [])
    kind_filters_apply(kind=kind, query={}, filters=filters, now=now)
    ids = list(selectors.item_list(kind=kind.name, filters=filters)
               .values_list("page_id", flat=True)[:size])
    pages = {page.pk: page for page in kind.model.objects.live().filter(pk__in=ids)
             .prefetch_related("categories")}
    return [pages[pk] for pk in ids if pk in pages]


def _feed_item(page: Any, scope: FeedScope) -> FeedItem:
    kind = next(kind for kind in kinds() if isinstance(page, kind.model))
    entry = (kind.feed_entry(page) if kind.feed_entry is not None
             else FeedEntry(title=page.title, description=page.search_description))
    published = (entry.published or page.first_published_at or page.last_published_at
                 or timezone.now())
    url = canonical_url(page)
    return FeedItem(
        page=page, title=entry.title, url=url, guid=_guid(page, url),
        # RSS <description> and Atom <summary type="html"> are HTML: the entry's plain
        # text escaped (the XML writer escapes it once more, as XML).
        description=sanitise.text_as_html(entry.description), published=published,
        updated=page.last_published_at or published,
        author=scope.attribution(scope.commune_of(page)),
        categories=(*entry.categories, *(category.name for category in page.categories.all())),
    )


def _guid(page: Page, url: str) -> str:
    # A tag: URI (RFC 4151) keeps the id stable when the page's slug, and so its URL, change.
    host = urlsplit(url).hostname or "localhost"
    return f"tag:{host},2025:page/{page.pk}"


class KindFeed(Feed):
    """RSS 2.0 of a commune's (or neighbourhood's) items of one feed's kinds."""

    feed_type = Rss201rev2Feed
    language = "fr"

    def __init__(self, *, feed: str, neighbourhood: bool = False, atom: bool = False) -> None:
        super().__init__()
        self.feed = feed
        self.neighbourhood = neighbourhood
        if atom:
            self.feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = super().__call__(request, *args, **kwargs)
        except FeedParameterError as error:
            return error.response()
        return cacheable(request, response)

    def get_object(self, request: HttpRequest, commune: str) -> FeedScope:  # type: ignore[override]
        return scope_resolve(request=request, commune=commune, neighbourhood=self.neighbourhood)

    def what(self) -> str:
        """"actualités et alertes": the plurals of the feed's kinds."""
        return " et ".join(str(kind.plural) for kind in feed_kinds(self.feed))

    def title(self, scope: FeedScope) -> str:
        return f"{scope.name} : {self.what()}"

    def description(self, scope: FeedScope) -> str:
        return f"{capfirst(self.what())} publiées par {scope.name}."

    def subtitle(self, scope: FeedScope) -> str:
        return self.description(scope)

    def link(self, scope: FeedScope) -> str:
        assert scope.commune is not None  # noqa: S101 (such a feed always has a commune)
        return canonical_url(scope.commune) or "/"

    def feed_url(self, scope: FeedScope) -> str:
        return scope.request.build_absolute_uri()

    def author_name(self, scope: FeedScope) -> str:
        return scope.commune.title if scope.commune else "Clocher"

    def items(self, scope: FeedScope) -> list[FeedItem]:
        return feed_items(feed=self.feed, scope=scope)

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_description(self, item: FeedItem) -> str:
        return item.description

    def item_link(self, item: FeedItem) -> str:
        return item.url

    def item_guid(self, item: FeedItem) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item: FeedItem) -> dt.datetime:
        return item.published

    def item_updateddate(self, item: FeedItem) -> dt.datetime:
        return item.updated

    def item_author_name(self, item: FeedItem) -> str:
        return item.author

    def item_categories(self, item: FeedItem) -> tuple[str, ...]:
        return item.categories

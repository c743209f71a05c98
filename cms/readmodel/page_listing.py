"""A listing of the resident site read from the read model: the API's filters and
order, the pages themselves loaded only for the slice shown."""

import copy
from collections.abc import Iterable

from django.conf import settings

from cms.communes.models import CommuneHomePage


def item_filters(*, communes: Iterable[CommuneHomePage], category: str | None = None):
    """The API's filters (cms.readmodel.selectors.ItemFilters) for pages of these communes.

    The read model files every page under its source-locale (French) commune, with its
    language code; a listing is in the locale of its first commune (neighbourhood_communes
    puts the commune it is built for first, in that commune's locale).
    """
    from wagtail.models import Locale, Page

    from cms.readmodel.selectors import ItemFilters

    communes = list(communes)
    if not communes:
        return ItemFilters(commune_ids=set())
    first = communes[0]
    # Cached on the page being served; a CommuneSummary (a neighbour) has its id only.
    locale = first.locale if isinstance(first, Page) else Locale.objects.get(pk=first.locale_id)
    default_code = default_language_code()
    same = [c for c in communes if c.locale_id == locale.pk]
    others = [c for c in communes if c.locale_id != locale.pk]
    ids = set()
    sources = {}
    if locale.language_code == default_code:
        ids |= {c.pk for c in same}
    else:
        others += same
    if others:
        sources = dict(CommuneHomePage.objects.filter(
            translation_key__in=[c.translation_key for c in others],
            locale__language_code=default_code).values_list("translation_key", "pk"))
        ids |= {sources.get(c.translation_key, c.pk) for c in others}
    # The listing is the first commune's (its site): what it holds back stays out.
    viewer = sources.get(first.translation_key, first.pk)
    return ItemFilters(commune_ids=ids, viewer_ids={viewer}, locale=locale.language_code,
                       fallback_locale=default_code,
                       categories=[category] if category else [])


def default_language_code() -> str:
    """The source locale's language (Locale.get_default() without its query)."""
    from wagtail.coreutils import get_supported_content_language_variant

    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


class PageListing:
    """Live pages listed by the API's read model (cms.readmodel.selectors.item_list), in the
    API's order: each slice is one query that picks the ids from the read model's
    indexes and loads only those pages (images and their renditions prefetched, so a
    card costs no query of its own).

    Sliced and counted like a QuerySet, so Paginator takes it; the filters and the order
    are the API's, so the site and the API list the same items.
    """

    def __init__(self, *, model, kind: str, filters) -> None:
        from cms.readmodel.selectors import item_list

        self.model = model
        self.kind = kind
        self._by_filter_index = filters.commune_ids is not None
        self._items = item_list(kind=kind, filters=filters)
        self._count: int | None = None
        self._fields: tuple[str, ...] = ()

    def only(self, *fields: str) -> "PageListing":
        """Load only these fields of the pages (QuerySet.only): a listing's cards skip the
        bodies (StreamFields) and the columns they never read."""
        listing = copy.copy(self)
        listing._fields = fields
        return listing

    def count(self) -> int:
        if self._count is None:
            self._count = self._items.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[0:])

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            if start < 0 or (stop is not None and stop < 0) or index.step not in (None, 1):
                raise ValueError("PageListing takes forward slices only.")
            limit = (stop if stop is not None else self.count()) - start
            return self._pages(offset=start, limit=limit) if limit > 0 else []
        if index < 0:
            raise IndexError("PageListing takes no negative index.")
        found = self[index:index + 1]
        if not found:
            raise IndexError(index)
        return found[0]

    def _pages(self, *, offset: int, limit: int) -> list:
        from django.db.models import Subquery

        from cms.readmodel.selectors import ITEM_ORDERINGS, item_ids_query

        ids = item_ids_query(kind=self.kind, queryset=self._items,
                             by_filter_index=self._by_filter_index)
        queryset = (self.model.objects.live()
                    .filter(pk__in=Subquery(ids[offset:offset + limit]))
                    # The read model's sort columns (PublishedItem.page is the page's pk).
                    .order_by(*(f"{'-' if key.descending else ''}api_item__{key.field}"
                                for key in ITEM_ORDERINGS[self.kind])))
        if any(field.name == "image" for field in self.model._meta.concrete_fields):
            queryset = queryset.select_related("image").prefetch_related("image__renditions")
        if self._fields:
            queryset = queryset.only(*self._fields)
        return list(queryset)

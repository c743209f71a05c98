"""Wagtail's read API at /api/v2/, held to the partner API's rules: no remote item
before a commune here shows it (cms/readmodel/audience.py), no image or document of a
private collection (unmoderated uploads), and hostile parameters get a 400, never a
500."""

import re

from django.db.models import Q, QuerySet
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import CollectionViewRestriction

MAX_OFFSET = 1_000_000
_WORD = re.compile(r"\w+")


class BoundedPagination(WagtailPagination):
    """Wagtail's offset pagination, with an offset the database can take."""

    def paginate_queryset(self, queryset, request, view=None):
        offset = request.GET.get("offset", "0")
        if offset.isdigit() and int(offset) > MAX_OFFSET:
            raise BadRequestError(f"offset cannot be higher than {MAX_OFFSET}")
        return super().paginate_queryset(queryset, request, view)


class WordsSearchFilter(SearchFilter):
    """Wagtail's search filter on the words of the query only: quotes, operators and
    control characters reached the database backend's full-text syntax and failed
    there (a 500)."""

    def filter_queryset(self, request, queryset, view):
        if "search" in request.GET:
            words = [word.lower() for word in _WORD.findall(request.GET["search"])]
            if not words:
                raise BadRequestError("search must contain at least one word")
            if request.GET.get("search_operator", "or") not in ("and", "or"):
                # Wagtail hands it to the search backend unchecked (a ValueError, a 500).
                raise BadRequestError("search_operator must be 'and' or 'or'")
            query = request.GET.copy()
            query["search"] = " ".join(words)
            request._request.GET = query
        return super().filter_queryset(request, queryset, view)


def _filters(viewset) -> list:
    return [WordsSearchFilter if backend is SearchFilter else backend
            for backend in viewset.filter_backends]


class TextParameters:
    """Refuse a parameter no database can hold as text (a NUL character: PostgreSQL
    rejects the query) before any view reads it: `html_path`, filters, `fields`…"""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if any("\x00" in text for key, values in request.GET.lists()
               for text in (key, *values)):
            raise BadRequestError("parameters cannot contain NUL characters")


class ListedPagesAPIViewSet(TextParameters, PagesAPIViewSet):
    """Wagtail's pages API, less the remote items no commune here shows yet."""

    pagination_class = BoundedPagination
    filter_backends = _filters(PagesAPIViewSet)

    def get_base_queryset(self):
        from cms.readmodel.selectors import unlisted_keys

        return super().get_base_queryset().exclude(translation_key__in=unlisted_keys())


def in_public_collections(queryset: QuerySet) -> QuerySet:
    """Leave out what lies in a collection with a view restriction, or under one: the
    residents' unmoderated uploads (frontend/uploads.py) and anything an editor made
    private in the admin's collection privacy settings. For every request: Wagtail's own
    filter lets any signed-in user through a "login" restriction."""
    restricted = set(CollectionViewRestriction.objects.values_list("collection__path",
                                                                   flat=True))
    if not restricted:
        return queryset
    private = Q()
    for path in restricted:
        private |= Q(collection__path__startswith=path)
    return queryset.exclude(private)


class BoundedImagesAPIViewSet(TextParameters, ImagesAPIViewSet):
    """Wagtail's images API: public collections only, bounded parameters."""

    pagination_class = BoundedPagination
    filter_backends = _filters(ImagesAPIViewSet)

    def get_queryset(self):
        return in_public_collections(super().get_queryset())


class BoundedDocumentsAPIViewSet(TextParameters, DocumentsAPIViewSet):
    """Wagtail's documents API: public collections only, bounded parameters."""

    pagination_class = BoundedPagination
    filter_backends = _filters(DocumentsAPIViewSet)

    def get_queryset(self):
        return in_public_collections(super().get_queryset())

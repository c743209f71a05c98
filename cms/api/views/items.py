"""The item endpoints: one list and one detail per registered kind (/api/<api_path>)."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from cms.content.kinds import ContentKind, kind_named
from cms.readmodel import selectors
from cms.readmodel.cursors import cursor_encode, keyset_after

from .. import serializers
from ..kind_filters import item_query_serializer, kind_filters_apply
from .base import COMMON_ERRORS, PublicAPIView, error_responses, hash_etag

MAX_ID = 2**63 - 1
# List bodies are cached under a versioned key (the ETag); this only bounds memory.
LIST_BODY_CACHE_SECONDS = 60


class ItemListView(PublicAPIView):
    """A list of one kind of item; item_views() sets `kind` and the query serializer."""

    kind: str = ""

    def filters(self, query: dict, now: dt.datetime) -> selectors.ItemFilters:
        commune_sets = []
        # The communes asked for by name hold back what they did not accept.
        viewers = set()
        allowed = self.allowed_commune_ids()
        if query.get("commune"):
            ids = {commune.id for commune in query["commune"]}
            if allowed is not None and not ids <= allowed:
                raise exceptions.PermissionDenied(
                    _("This key is not allowed for these communes."))
            commune_sets.append(ids)
            viewers |= ids
        if query.get("around"):
            viewers.add(query["around"].id)
            radius = query.get("radius_km", 10.0)
            commune_sets.append(set(selectors.neighbourhood_ids(commune=query["around"],
                                                                radius_km=radius)))
        if query.get("epci"):
            commune_sets.append(selectors.commune_ids_in(epci_code=query["epci"]))
        if query.get("department"):
            commune_sets.append(selectors.commune_ids_in(department_code=query["department"]))
        if allowed is not None:
            commune_sets.append(allowed)
        filters = selectors.ItemFilters(
            commune_ids=set.intersection(*commune_sets) if commune_sets else None,
            viewer_ids=viewers,
            locale=query.get("locale"), categories=query.get("category", []),
            # Untranslated items in French unless the partner asks strict (issue 28).
            fallback_locale=None if query.get("strict_locale") else settings.LANGUAGE_CODE,
            updated_since=query.get("updated_since"), bbox=query.get("bbox"),
        )
        if "lat" in query:
            filters.point = (query["lat"], query["lon"], query["radius_km"])
        kind_filters_apply(kind=kind_named(self.kind), query=query, filters=filters, now=now)
        return filters

    def get(self, request, *args, **kwargs):
        query = self.query()
        # Minute precision keeps time-dependent lists ("upcoming") cacheable for a minute.
        now = timezone.now().replace(second=0, microsecond=0)
        filters = self.filters(query, now)
        state = selectors.feed_state()
        etag = hash_etag(self.kind, sorted(request.query_params.lists()),
                          sorted(filters.commune_ids or ()), state.last_change_id,
                          state.last_seq, state.generation, now.isoformat())
        last_modified = max(filter(None, [state.last_change_at, now]))
        if self.not_modified(etag=etag, last_modified=last_modified):
            return self.cached(HttpResponseNotModified(), etag=etag,
                               last_modified=last_modified)
        # The ETag names everything the body depends on but the host (in `next`): a body
        # cached under both is right in every process until the data moves on.
        body_key = "clocher-api:list:" + hashlib.sha1(
            f"{etag}|{request.scheme}://{request.get_host()}".encode(),
            usedforsecurity=False).hexdigest()
        body = cache.get(body_key)
        if body is None:
            body = self.list_body(query, filters)
            cache.set(body_key, body, LIST_BODY_CACHE_SECONDS)
        return self.cached(HttpResponse(body, content_type="application/json"), etag=etag,
                           last_modified=last_modified)

    def list_body(self, query: dict, filters: selectors.ItemFilters) -> bytes:
        """One page as JSON, spliced from the list representations the database
        serialised (selectors.item_page): nothing is decoded and encoded again."""
        ordering = selectors.ITEM_ORDERINGS[self.kind]
        queryset = selectors.item_list(kind=self.kind, filters=filters)
        if query.get("cursor"):
            queryset = queryset.filter(keyset_after(ordering=ordering, values=query["cursor"]))
        size = query["page_size"]
        rows = selectors.item_page(queryset=queryset, ordering=ordering, limit=size + 1,
                                   by_filter_index=filters.commune_ids is not None)
        next_cursor = (cursor_encode(ordering_name=self.kind, values=list(rows[size - 1][1:]))
                       if len(rows) > size else None)
        return "".join([
            '{"results":[', ",".join(row[0] for row in rows[:size]),
            '],"next_cursor":', json.dumps(next_cursor),
            ',"next":', json.dumps(self.next_link(next_cursor)), "}",
        ]).encode()


class ItemDetailView(PublicAPIView):
    kind: str = ""

    def get(self, request, item_id: int, *args, **kwargs):
        self.query()
        item = selectors.item_get(kind=self.kind, item_id=item_id) if item_id <= MAX_ID else None
        if item is None:
            raise exceptions.NotFound(
                _("No %(kind)s with id %(id)s.") % {"kind": self.kind, "id": item_id})
        allowed = self.allowed_commune_ids()
        if (allowed is not None and item.commune_id not in allowed
                and not selectors.item_shared_into(item_id=item.page_id, commune_ids=allowed)):
            raise exceptions.PermissionDenied(_("This key is not allowed for this commune."))
        etag = quote_etag(item.etag)
        if self.not_modified(etag=etag, last_modified=item.updated_at):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(item.payload_json.encode(), content_type="application/json")
        return self.cached(response, etag=etag, last_modified=item.updated_at)


def item_views(kind: ContentKind) -> tuple[type[ItemListView], type[ItemDetailView]]:
    """The list and detail views of a kind, documented with its own parameters and
    response shapes (built once per kind)."""
    views = _views.get(kind.name)
    if views is not None:
        return views
    query_serializer = item_query_serializer(kind)
    list_serializer, detail_serializer = serializers.item_serializers(kind)
    tag = kind.api_path
    filters_doc = ("Filters combine with AND; commune-like filters (commune, around, epci, "
                   "department) intersect. Cursor pagination in a stable total order.")

    @extend_schema(tags=[tag], operation_id=f"{tag}_list", parameters=[query_serializer],
                   description=filters_doc,
                   responses={200: serializers.page_of(list_serializer,
                                                       f"{list_serializer.__name__[:-10]}Page"),
                              **error_responses(304, 403, *COMMON_ERRORS)})
    def list_get(self, request, *args, **kwargs):
        return ItemListView.get(self, request, *args, **kwargs)

    @extend_schema(tags=[tag], operation_id=f"{tag}_detail", responses={200: detail_serializer,
                                          **error_responses(304, 403, 404, *COMMON_ERRORS)})
    def detail_get(self, request, item_id: int, *args, **kwargs):
        return ItemDetailView.get(self, request, item_id, *args, **kwargs)

    name = kind.name.title().replace("_", "")
    list_view = type(f"{name}ListView", (ItemListView,), {
        "kind": kind.name, "query_serializer_class": query_serializer, "get": list_get,
        "__module__": __name__, "__doc__": f"List of {kind.name} items."})
    detail_view = type(f"{name}DetailView", (ItemDetailView,), {
        "kind": kind.name, "get": detail_get, "__module__": __name__,
        "__doc__": f"One {kind.name} item."})
    views = _views[kind.name] = (list_view, detail_view)
    return views


_views: dict[str, tuple[type[ItemListView], type[ItemDetailView]]] = {}

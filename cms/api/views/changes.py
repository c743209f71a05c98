"""The change feed (/api/changes): creations, updates and withdrawals in commit order."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from cms.readmodel import selectors
from cms.readmodel.cursors import cursor_encode
from cms.readmodel.models import ChangeAction

from .. import params, serializers
from ..errors import CursorExpired
from .base import COMMON_ERRORS, PublicAPIView, error_responses


def _change_entry(change, *, present: bool) -> dict:
    """A change as a feed shows it. In a feed filtered by commune, an item that stops
    being shared into those communes is, for that feed, unpublished."""
    withdrawn = not present and change.action in (ChangeAction.CREATED, ChangeAction.UPDATED)
    return {"seq": change.seq,
            "action": ChangeAction.UNPUBLISHED if withdrawn else change.action,
            "id": change.item_id, "kind": change.kind, "locale": change.locale,
            "at": change.created_at.isoformat(), "item": None if withdrawn else change.payload}


class ChangeListView(PublicAPIView):
    """Creations, updates, unpublishings and deletions in commit order."""

    query_serializer_class = params.ChangeQuerySerializer

    @extend_schema(tags=["changes"], parameters=[params.ChangeQuerySerializer],
                   responses={200: serializers.ChangePageSerializer,
                              **error_responses(403, 410, *COMMON_ERRORS)})
    def get(self, request, *args, **kwargs):
        query = self.query()
        # Read only: changes are numbered after commit by the pipeline's "changes"
        # outbox category (cms/publishing), never inside a GET.
        pruned_through, _last = selectors.change_watermarks()
        after = query["cursor"][0] if query.get("cursor") else pruned_through
        if after < pruned_through:
            raise CursorExpired()
        allowed = self.allowed_commune_ids()
        commune_ids = {c.id for c in query["commune"]} if query.get("commune") else None
        if commune_ids is not None and allowed is not None and not commune_ids <= allowed:
            raise exceptions.PermissionDenied(
                _("This key is not allowed for these communes."))
        if allowed is not None:
            commune_ids = allowed if commune_ids is None else commune_ids & allowed
        size = query["page_size"]
        changes = selectors.change_list(after_seq=after, limit=size + 1,
                                        commune_ids=commune_ids, kinds=query.get("kind"))
        page = changes[:size]
        last_seq = page[-1].seq if page else after
        present = selectors.change_present_in(changes=page, commune_ids=commune_ids)
        response = Response({
            "results": [_change_entry(c, present=c.pk in present) for c in page],
            "next_cursor": cursor_encode(ordering_name="change", values=[last_seq]),
            "has_more": len(changes) > size,
        })
        response["Cache-Control"] = "no-cache"
        return response

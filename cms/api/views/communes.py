"""Communes of the platform and their neighbours (/api/communes)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_list, commune_neighbours
from cms.readmodel import selectors
from cms.readmodel.cursors import cursor_encode, keyset_after, order_by

from .. import params, serializers
from .base import COMMON_ERRORS, PublicAPIView, error_responses, hash_etag


def commune_json(commune: CommuneHomePage) -> dict[str, Any]:
    return {
        "insee": commune.insee_code, "name": commune.title, "slug": commune.slug,
        "url": commune.get_full_url() or "", "population": commune.population,
        "postcodes": list(commune.postcodes or []),
        "department": {"code": commune.department_code, "name": commune.department_name},
        "epci": ({"code": commune.epci_code, "name": commune.epci_name}
                 if commune.epci_code else None),
        "position": ({"latitude": commune.latitude, "longitude": commune.longitude}
                     if commune.has_position else None),
    }


class CommuneListView(PublicAPIView):
    """Communes of the platform, by INSEE code."""

    query_serializer_class = params.CommuneQuerySerializer

    @extend_schema(tags=["communes"], operation_id="communes_list",
                   parameters=[params.CommuneQuerySerializer],
                   responses={200: serializers.page_of(serializers.CommuneSerializer,
                                                       "CommunePage"),
                              **error_responses(304, *COMMON_ERRORS)})
    def get(self, request, *args, **kwargs):
        query = self.query()
        queryset = commune_list()
        if query.get("epci"):
            queryset = queryset.filter(epci_code=query["epci"])
        if query.get("department"):
            queryset = queryset.filter(department_code=query["department"])
        if query.get("cursor"):
            queryset = queryset.filter(keyset_after(ordering=selectors.COMMUNE_ORDERING,
                                                    values=query["cursor"]))
        size = query["page_size"]
        communes = list(queryset.order_by(*order_by(selectors.COMMUNE_ORDERING))[: size + 1])
        next_cursor = (cursor_encode(ordering_name="commune",
                                     values=[communes[size - 1].insee_code,
                                             communes[size - 1].pk])
                       if len(communes) > size else None)
        body = {"results": [commune_json(c) for c in communes[:size]],
                "next_cursor": next_cursor, "next": self.next_link(next_cursor)}
        return self.conditional(etag=hash_etag(body), last_modified=None, build=lambda: body)


def _commune_or_404(insee_or_slug: str) -> CommuneHomePage:
    info = selectors.commune_find(insee_or_slug=insee_or_slug)
    commune = commune_list().filter(pk=info.id).first() if info else None
    if commune is None:
        raise exceptions.NotFound(_("No commune %(value)s.") % {"value": insee_or_slug[:40]})
    return commune


class CommuneDetailView(PublicAPIView):
    @extend_schema(tags=["communes"], operation_id="communes_detail",
                   responses={200: serializers.CommuneSerializer,
                                                 **error_responses(304, 404, *COMMON_ERRORS)})
    def get(self, request, insee: str, *args, **kwargs):
        self.query()
        body = commune_json(_commune_or_404(insee))
        return self.conditional(etag=hash_etag(body), last_modified=None, build=lambda: body)


class CommuneNeighbourListView(PublicAPIView):
    query_serializer_class = params.NeighbourQuerySerializer

    @extend_schema(tags=["communes"], parameters=[params.NeighbourQuerySerializer],
                   responses={200: serializers.NeighbourListSerializer,
                              **error_responses(304, 404, *COMMON_ERRORS)})
    def get(self, request, insee: str, *args, **kwargs):
        query = self.query()
        commune = _commune_or_404(insee)
        radius = query.get("radius_km", 10.0)
        body = {
            "commune": commune_json(commune), "radius_km": radius,
            "results": [
                {"commune": commune_json(n.commune), "distance_km": (
                    round(n.distance_km, 3) if n.distance_km is not None else None),
                 "same_epci": n.same_epci}
                for n in commune_neighbours(commune=commune, radius_km=radius)
            ],
        }
        return self.conditional(etag=hash_etag(body), last_modified=None, build=lambda: body)

"""The filters of a kind's API list beyond the common ones (params.ItemQuerySerializer).

A kind names them in the registry (cms/content/kinds.py): `api_filters` picks named sets
below, `api_choice_filters` adds exact filters on a key of its representation. Each set
declares its query parameters (validated and documented by params.py's serializer) and
how they narrow the read model (selectors.ItemFilters): the list view and the feeds
apply them alike, a feed with no parameter given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from cms.content.kinds import ContentKind
from cms.readmodel.orderings import ITEM_ORDERINGS
from cms.readmodel.selectors import ItemFilters

from . import params

SEVERITIES = params.SEVERITIES


@dataclass(frozen=True)
class FilterSet:
    # Fresh serializer fields (DRF orders declared fields by creation).
    fields: Callable[[], dict[str, serializers.Field]]
    apply: Callable[[dict, ItemFilters, dt.datetime], None]
    validate: Callable[[dict], None] = lambda attrs: None


def _dated_fields() -> dict[str, serializers.Field]:
    return {
        "start_after": params.DateOrDateTimeField(
            required=False, help_text="Events starting at or after (ISO 8601). Without "
                                      "start_after/start_before, only events not over yet."),
        "start_before": params.DateOrDateTimeField(required=False,
                                                   help_text="Events starting before."),
    }


def _dated_apply(query: dict, filters: ItemFilters, now: dt.datetime) -> None:
    # Without a span, only items not over yet (an open-ended one ends when it starts).
    if not ("start_after" in query or "start_before" in query):
        filters.ends_after = now
    filters.start_after = query.get("start_after")
    filters.start_before = query.get("start_before")


def _dated_validate(attrs: dict) -> None:
    if ("start_after" in attrs and "start_before" in attrs
            and attrs["start_before"] <= attrs["start_after"]):
        raise serializers.ValidationError({"start_before": [_("Must follow start_after.")]})


def _in_force_fields() -> dict[str, serializers.Field]:
    return {
        "active": serializers.BooleanField(required=False, default=True,
                                           help_text="Only alerts in force now (default true)."),
        "severity": serializers.ChoiceField(choices=list(SEVERITIES), required=False,
                                            help_text="Minimum severity."),
    }


def _in_force_apply(query: dict, filters: ItemFilters, now: dt.datetime) -> None:
    if query.get("active", True):
        filters.ends_after = filters.starts_before = now
    if query.get("severity"):
        filters.severity = SEVERITIES[query["severity"]]


FILTER_SETS: dict[str, FilterSet] = {
    # Items with a start and an end: a span of start times; by default, not over yet.
    "dated": FilterSet(fields=_dated_fields, apply=_dated_apply, validate=_dated_validate),
    # Items valid from a time until another, with a severity: by default, in force now.
    "in_force": FilterSet(fields=_in_force_fields, apply=_in_force_apply),
}


def kind_filters_apply(*, kind: ContentKind, query: dict, filters: ItemFilters,
                       now: dt.datetime) -> None:
    """Narrow `filters` by the kind's own parameters in `query` (or their defaults)."""
    for name in kind.api_filters:
        FILTER_SETS[name].apply(query, filters, now)
    for key in kind.api_choice_filters:
        if query.get(key):
            filters.extra[key] = query[key]


_serializers: dict[str, type[params.ItemQuerySerializer]] = {}


def item_query_serializer(kind: ContentKind) -> type[params.ItemQuerySerializer]:
    """The query serializer of the kind's list: the common parameters and its own."""
    serializer = _serializers.get(kind.name)
    if serializer is not None:
        return serializer
    sets = [FILTER_SETS[name] for name in kind.api_filters]
    attrs: dict[str, Any] = {"ordering_name": kind.name, "ordering": ITEM_ORDERINGS[kind.name],
                             "__module__": __name__}
    for filter_set in sets:
        attrs.update(filter_set.fields())
    for key, values in kind.api_choice_filters.items():
        attrs[key] = serializers.ChoiceField(choices=list(values), required=False)

    def validate(self, data):
        data = params.ItemQuerySerializer.validate(self, data)
        for filter_set in sets:
            filter_set.validate(data)
        return data

    attrs["validate"] = validate
    serializer = _serializers[kind.name] = type(
        f"{kind.name.title().replace('_', '')}QuerySerializer",
        (params.ItemQuerySerializer,), attrs)
    return serializer

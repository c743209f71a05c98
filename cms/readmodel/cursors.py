"""Opaque, signed keyset cursors.

A cursor holds the sort values of the last row a client saw; the next page starts
strictly after them in the endpoint's total order (which always ends with the
primary key), so inserts between two fetches never shift what follows: no skip,
no repeat. Signed so a tampered cursor is a clean 400, never a bad query.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Q
from django.utils.dateparse import parse_datetime


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False
    type: type = int  # int, str or dt.datetime


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _decode_value(raw: Any, key: SortKey) -> Any:
    if key.type is dt.datetime:
        value = parse_datetime(raw) if isinstance(raw, str) else None
        if value is None:
            raise InvalidCursor
        return value
    if not isinstance(raw, key.type) or isinstance(raw, bool):
        raise InvalidCursor
    return raw


def cursor_encode(*, ordering_name: str, values: list[Any]) -> str:
    return signing.dumps([_encode_value(value) for value in values],
                         salt=f"clocher.api.cursor.{ordering_name}")


def cursor_decode(*, ordering_name: str, ordering: list[SortKey], token: str) -> list[Any]:
    try:
        raw = signing.loads(token, salt=f"clocher.api.cursor.{ordering_name}")
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as error:
        raise InvalidCursor from error
    if not isinstance(raw, list) or len(raw) != len(ordering):
        raise InvalidCursor
    return [_decode_value(value, key) for value, key in zip(raw, ordering, strict=True)]


def keyset_after(*, ordering: list[SortKey], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (lexicographic, per-field direction)."""
    condition = Q(pk__in=[])
    for index, key in enumerate(ordering):
        lookup = "lt" if key.descending else "gt"
        clause = Q(**{f"{key.field}__{lookup}": values[index]})
        for previous, value in zip(ordering[:index], values[:index], strict=True):
            clause &= Q(**{previous.field: value})
        condition |= clause
    return condition


def order_by(ordering: list[SortKey]) -> list[str]:
    return [f"-{key.field}" if key.descending else key.field for key in ordering]

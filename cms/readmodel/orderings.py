"""The total order of each kind's API list, from the kind's `api_ordering`
(cms/content/kinds.py): its read-model columns, then the item id (see cursors.py)."""

import datetime as dt
from collections.abc import Iterator, Mapping

from cms.content.kinds import ContentKind, kind_named, kinds

from .cursors import SortKey

COLUMN_TYPES: dict[str, type] = {"start": dt.datetime, "end": dt.datetime, "severity": int,
                                 "title": str}


def item_ordering(kind: ContentKind) -> list[SortKey]:
    keys = [SortKey(column.lstrip("-"), descending=column.startswith("-"),
                    type=COLUMN_TYPES[column.lstrip("-")]) for column in kind.api_ordering]
    return [*keys, SortKey("page_id", descending=keys[-1].descending)]


class KindOrderings(Mapping[str, list[SortKey]]):
    """Kind name → its ordering, for every registered kind (read when first asked: the
    registry is complete once the apps are loaded)."""

    def __init__(self) -> None:
        self._built: dict[str, list[SortKey]] = {}

    def __getitem__(self, name: str) -> list[SortKey]:
        ordering = self._built.get(name)
        if ordering is None:
            kind = kind_named(name)
            if kind is None:
                raise KeyError(name)
            ordering = self._built[name] = item_ordering(kind)
        return ordering

    def __iter__(self) -> Iterator[str]:
        return iter([kind.name for kind in kinds()])

    def __len__(self) -> int:
        return len(kinds())


ITEM_ORDERINGS = KindOrderings()

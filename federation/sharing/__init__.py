"""Sharing between the communes of one deployment (issue 5, item 1).

Public entry points (keyword-only), importable from here:

- acceptance_decide(*, receiver, kind, source_commune=None, source_server="") -> str
- share_create(*, page, receiver, source_server="", source_commune=None) -> SharedItem
- share_decide(*, share, action, user) -> SharedItem
- shares_sync(*, page) -> list[SharedItem] | None
"""

from typing import Any

__all__ = ["acceptance_decide", "share_create", "share_decide", "shares_sync"]


def __getattr__(name: str) -> Any:
    # Lazy: this package is imported while apps load (signals), before models are ready.
    if name == "acceptance_decide":
        from .selectors import acceptance_decide

        return acceptance_decide
    if name in {"share_create", "share_decide", "shares_sync"}:
        from . import services

        return getattr(services, name)
    raise AttributeError(name)

"""Rendering context of pages, provided by the resident site (frontend/).

Pages hold data; what a template needs beyond it (the agenda's filters, the home's
neighbourhood) is built in frontend/, a layer above. It registers one provider per
page model here, and the models' `get_context()` asks through `page_context()`.
"""

from collections.abc import Callable
from typing import Any

from wagtail.models import Page

Provider = Callable[..., dict[str, Any]]
_providers: dict[type[Page], Provider] = {}


def page_context_register(model: type[Page], provider: Provider) -> None:
    """`provider(*, page, request)` returns the extra context of `model`'s pages."""
    _providers[model] = provider


def page_context(*, page: Page, request) -> dict[str, Any]:
    provider = _providers.get(type(page))
    return provider(page=page, request=request) if provider else {}

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
    """The extra context of the page's model, or of its nearest registered base class."""
    for model in type(page).__mro__:
        provider = _providers.get(model)
        if provider is not None:
            return provider(page=page, request=request)
    return {}

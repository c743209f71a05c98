"""Canonical page URLs, computed once per page inside `page_urls_memoized()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest
from wagtail.models import Page

URLS_MEMO_SIZE = 4096
_urls_memo: ContextVar[dict[int, str] | None] = ContextVar("jsonld_urls_memo", default=None)


@contextmanager
def page_urls_memoized() -> Iterator[None]:
    """Inside the block, compute each page's canonical URL once (by page id).

    For bulk builds of the read model, where no page moves or changes its slug: an
    item's URL is otherwise worked out three times (its row, its JSON-LD `url`, its
    commune's), and its commune's once per item.
    """
    token = _urls_memo.set({})
    try:
        yield
    finally:
        _urls_memo.reset(token)


def canonical_url(page: Page) -> str:
    """The page's URL on its commune's own host, whichever host the request came to.

    Without a request Wagtail picks the most specific Site (the commune's, not the
    portal's /<slug>/ prefix), as the canonical link in base.html does.
    """
    memo = _urls_memo.get()
    if memo is None or page.pk is None:
        return page.get_full_url() or ""
    if page.pk not in memo:
        if len(memo) >= URLS_MEMO_SIZE:
            memo.clear()  # a rebuild walks 200,000 pages: keep the memory bounded
        memo[page.pk] = page.get_full_url() or ""
    return memo[page.pk]


def page_url(page: Page, request: HttpRequest | None) -> str:
    """The URL JSON-LD gives a page: its canonical one, whatever the request."""
    return canonical_url(page)

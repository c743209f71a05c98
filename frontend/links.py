"""Page URLs for the resident site's templates, as Wagtail's `pageurl` gives them.

Why not `pageurl`: `Page.get_url(request)` scans every site's root path (two hundred
communes, each a Site, in three languages) and reverses `wagtail_serve` for every link,
about 0.2 ms a link and some seventy links on a commune home. `PageLinks` reads the
same site root paths (Wagtail's cache, kept on the request as `pageurl` keeps them),
indexes them by path once per request and reverses once per language; a page whose
path does not fit Wagtail's URL pattern falls back to `Page.get_url`. A commune named by a
CommuneSummary (cms.communes.selectors) is linked like its page.
"""

import re
from collections import defaultdict
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site

# wagtail.urls' serve pattern (WAGTAIL_APPEND_SLASH on, the default).
SERVE_PATH = re.compile(r"(?:[\w\-]+/)*")
# django.urls.resolvers: what reverse() leaves unquoted.
SAFE_CHARACTERS = RFC3986_SUBDELIMS + "/~:@"
REQUEST_ATTRIBUTE = "_clocher_page_links"


class PageLinks:
    """URLs of pages seen from one request: relative on the request's site, absolute on
    another commune's (Page.get_url(request) and Page.get_full_url semantics)."""

    def __init__(self, request=None):
        self.request = request
        root_paths = getattr(request, "_wagtail_cached_site_root_paths", None)
        if root_paths is None:
            root_paths = Site.get_site_root_paths()
            if request is not None:
                request._wagtail_cached_site_root_paths = root_paths
        self._by_root_path: dict[str, list] = defaultdict(list)
        for position, root_path in enumerate(root_paths):
            self._by_root_path[root_path.root_path].append((position, root_path))
        self._site_count = len({root_path.site_id for root_path in root_paths})
        self._current_site = Site.find_for_request(request) if request is not None else None
        self._language_prefixes: dict[tuple, str | None] = {}

    def url(self, page, language: str | None = None) -> str | None:
        """Page.get_url(request): relative on the current site, else absolute.

        `language`: the URL of the page under that language's prefix (/en/…), where
        a translated site shows a page not translated yet (cms.core.routing)."""
        parts = self._parts(page, language)
        if parts is None:
            return _page(page).get_url(request=self.request)
        site_id, root_url, page_path = parts
        current = self._current_site
        if (current is not None and site_id == current.pk) or self._site_count == 1:
            return page_path
        return root_url + page_path

    def full_url(self, page) -> str | None:
        """Page.get_full_url(request)."""
        parts = self._parts(page)
        if parts is None:
            return _page(page).get_full_url(request=self.request)
        _site_id, root_url, page_path = parts
        return root_url + page_path

    def _parts(self, page, language: str | None = None):
        """(site_id, root_url, page_path) as Page.get_url_parts, or None to let Wagtail
        answer (a page outside every site, an unusual path, a custom get_url_parts)."""
        model = type(page) if isinstance(page, Page) else page.specific_class
        if model.get_url_parts is not Page.get_url_parts:
            return None
        url_path = page.url_path or ""
        if not getattr(settings, "WAGTAIL_APPEND_SLASH", True):
            return None
        matches = []
        end = url_path.find("/")
        while end != -1:
            matches.extend(self._by_root_path.get(url_path[:end + 1], ()))
            end = url_path.find("/", end + 1)
        if not matches:
            return None
        matches.sort(key=lambda match: match[0])
        site_id, root_path, root_url, language_code = matches[0][1]
        current = self._current_site
        if current is not None and any(match[1].site_id != site_id for match in matches):
            for _position, candidate in matches:
                if candidate.site_id == current.pk:
                    site_id, root_path, root_url, language_code = candidate
                    break
        remainder = url_path[len(root_path):]
        if not SERVE_PATH.fullmatch(remainder):
            return None
        prefix = self._language_prefix(language or language_code)
        if prefix is None:
            return None
        return site_id, root_url, prefix + quote(remainder, safe=SAFE_CHARACTERS)

    def _language_prefix(self, language_code: str) -> str | None:
        """The path before a page's own, for a page of this language (/en/, or / for
        the default language), in the active language when it is a variant of it."""
        key = (language_code, translation.get_language())
        if key not in self._language_prefixes:
            try:
                if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
                    with translation.override(_language_variant(language_code)):
                        prefix = reverse("wagtail_serve", args=("",))
                else:
                    prefix = reverse("wagtail_serve", args=("",))
            except NoReverseMatch:
                prefix = None
            self._language_prefixes[key] = prefix
        return self._language_prefixes[key]


def _page(page):
    # A CommuneSummary stands for its page (it has no get_url_parts of its own).
    return page if isinstance(page, Page) else Page.objects.get(pk=page.pk).specific


def _language_variant(language_code: str) -> str:
    # Page.get_url_parts: the active language when it is a variant of the page's.
    active = translation.get_language()
    try:
        if get_supported_content_language_variant(active) == language_code:
            return active
    except LookupError:
        pass
    return language_code


def page_links(request) -> PageLinks:
    """The request's PageLinks, built on first use."""
    if request is None:
        return PageLinks()
    links = getattr(request, REQUEST_ATTRIBUTE, None)
    if links is None:
        links = PageLinks(request)
        setattr(request, REQUEST_ATTRIBUTE, links)
    return links


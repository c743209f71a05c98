"""Untranslated pages stay reachable on a translated site (issue 28).

A commune translated into English has its own tree under /en/; a page not translated
yet lives only in the French tree. Routing /en/<section>/<page>/ through the English
tree would answer 404: a page that routes through this mixin looks for the missing
child in its source-locale translation instead, so the French page is served under
/en/ with the English interface (the templates mark its content lang="fr" and say it
is not translated yet). A page translated since is served in the language asked for.
"""

from django.http import Http404
from wagtail.models import Page

from .locales import default_locale


class SourceFallbackRouting:
    """A Page mixin: route to the source locale's children when this locale lacks one."""

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            default = default_locale()
            if not path_components or self.locale_id == default.pk:
                raise
            source = self.get_translation_or_none(default)
            if source is None:
                raise
            result = source.specific.route(request, path_components)
            page = result[0]
            translated = (page.get_translations().live().filter(locale_id=self.locale_id)
                          .first() if isinstance(page, Page) else None)
            if translated is not None:
                return translated.specific.route(request, [])
            return result

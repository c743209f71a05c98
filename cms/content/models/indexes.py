"""One index page per section of a commune; their listings are built by the resident
site (frontend/sections.py, agenda.py, directory.py)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.core.routing import SourceFallbackRouting


class SectionIndexPage(SourceFallbackRouting, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["communes.CommuneHomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from cms.core.page_context import page_context

        # The section's listing (frontend/sections.py) or its own view of it.
        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(page=self, request=request))
        return context


class NewsIndexPage(SectionIndexPage):
    subpage_types = ["content.NewsPage"]

    class Meta:
        verbose_name = _("rubrique actualités")


class EventIndexPage(SectionIndexPage):
    subpage_types = ["content.EventPage"]

    class Meta:
        verbose_name = _("agenda")


class AlertIndexPage(SectionIndexPage):
    subpage_types = ["content.AlertPage"]

    class Meta:
        verbose_name = _("rubrique alertes")


class InfoIndexPage(SectionIndexPage):
    subpage_types = ["content.InfoPage"]

    class Meta:
        verbose_name = _("informations pratiques")


class DirectoryIndexPage(SectionIndexPage):
    subpage_types = ["content.DirectoryEntryPage"]

    class Meta:
        verbose_name = _("annuaire")

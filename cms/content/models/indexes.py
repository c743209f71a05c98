"""One index page per section of a commune; listings come from selectors."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class SectionIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["communes.CommuneHomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from cms.content.selectors import commune_of

        context = super().get_context(request, *args, **kwargs)
        commune = commune_of(page=self, request=request)
        paginator = Paginator(self.listing(commune), 20)
        context["commune"] = commune
        context["items"] = paginator.get_page(request.GET.get("page"))
        return context

    def listing(self, commune):
        raise NotImplementedError


class NewsIndexPage(SectionIndexPage):
    subpage_types = ["content.NewsPage"]

    def listing(self, commune):
        from cms.content import selectors

        return selectors.news_list(communes=[commune])

    class Meta:
        verbose_name = _("rubrique actualités")


class EventIndexPage(SectionIndexPage):
    subpage_types = ["content.EventPage"]

    def listing(self, commune):
        from cms.content import selectors

        around = selectors.neighbourhood_communes(commune=commune)
        return selectors.event_list_upcoming(communes=around)

    def get_context(self, request, *args, **kwargs):
        from cms.core.page_context import page_context

        # The section's listing is replaced by the filtered agenda (list or month view).
        context = Page.get_context(self, request, *args, **kwargs)
        context.update(page_context(page=self, request=request))
        return context

    class Meta:
        verbose_name = _("agenda")


class AlertIndexPage(SectionIndexPage):
    subpage_types = ["content.AlertPage"]

    def listing(self, commune):
        from cms.content import selectors

        return selectors.alert_list_active(communes=[commune])

    class Meta:
        verbose_name = _("rubrique alertes")


class InfoIndexPage(SectionIndexPage):
    subpage_types = ["content.InfoPage"]

    def listing(self, commune):
        from cms.content import selectors

        return selectors.info_list(communes=[commune])

    class Meta:
        verbose_name = _("informations pratiques")


class DirectoryIndexPage(SectionIndexPage):
    subpage_types = ["content.DirectoryEntryPage"]

    def listing(self, commune):
        from cms.content import selectors

        return selectors.directory_list(communes=[commune])

    def get_context(self, request, *args, **kwargs):
        from cms.core.page_context import page_context

        # The directory, or the neighbourhood's producers (?vue=producteurs), filtered.
        context = Page.get_context(self, request, *args, **kwargs)
        context.update(page_context(page=self, request=request))
        return context

    class Meta:
        verbose_name = _("annuaire")

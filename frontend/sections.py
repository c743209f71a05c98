"""The listing of a commune's section page: news, alerts, practical information, and
the section of any kind without a view of its own (the agenda and the directory have
theirs: agenda.py, directory.py). Its commune and its items, 20 a page."""

from django.core.paginator import Paginator

from cms.content.kinds import kinds
from cms.content.models import AlertIndexPage, InfoIndexPage, NewsIndexPage
from cms.readmodel import listings

PAGE_SIZE = 20
_LISTS = {
    NewsIndexPage: lambda commune: listings.news_list(communes=[commune]),
    AlertIndexPage: lambda commune: listings.alert_list_active(communes=[commune]),
    InfoIndexPage: lambda commune: listings.info_list(communes=[commune]),
}


def section_context(*, page, request) -> dict:
    commune = listings.commune_of(page=page, request=request)
    listing = _LISTS.get(type(page))
    items = listing(commune) if listing else _kind_items(page)
    return {"commune": commune,
            "items": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))}


def _kind_items(page):
    """A registered kind's live pages in this section, latest first."""
    section = type(page)._meta.label
    model = next(kind.model for kind in kinds() if kind.section == section)
    return model.objects.live().descendant_of(page).order_by("-first_published_at", "-pk")

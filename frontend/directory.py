"""The directory of a commune, and the producers of its neighbourhood (short supply chains).

DirectoryIndexPage.get_context delegates here; reads go through cms.readmodel.listings.
"""

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from cms.communes.models import CommuneHomePage
from cms.content.blocks import MONTHS, WEEKDAYS
from cms.content.models import DirectoryKind
from cms.readmodel import listings as selectors

from .links import page_links
from .widgets import Select

PAGE_SIZE = 30


class DirectoryFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False, widget=Select,
                             choices=[("", _("Tous"))] + list(DirectoryKind.choices))


class ProducerFilterForm(forms.Form):
    produit = forms.CharField(label=_("Produit"), required=False, max_length=80)
    mois = forms.TypedChoiceField(label=_("De saison en"), required=False, coerce=int,
                                  empty_value=None, choices=[("", _("Toute l'année")), *MONTHS],
                                  widget=Select)
    marche = forms.ChoiceField(label=_("Jour de marché"), required=False, widget=Select,
                               choices=[("", _("Tous les jours")), *WEEKDAYS])


def directory_context(*, request, commune: CommuneHomePage) -> dict:
    """Build the directory page's context: one commune's entries, or nearby producers."""
    if request.GET.get("vue") == "producteurs":
        return _producers_context(request=request, commune=commune)
    form = DirectoryFilterForm(request.GET or None)
    kind = form.cleaned_data.get("type") if form.is_valid() else None
    queryset = selectors.directory_list(communes=[commune], kind=kind or None)
    items = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "commune": commune,
        "directory_view": "all",
        "directory_form": form,
        "items": items,
        "places": _places(items.object_list, request=request),
    }


def _producers_context(*, request, commune: CommuneHomePage) -> dict:
    form = ProducerFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    around = selectors.neighbourhood_communes(commune=commune)
    producers = selectors.with_origin(
        items=selectors.producer_list(
            communes=around, product=data.get("produit") or "", month=data.get("mois"),
            market_day=data.get("marche") or "",
        ),
        communes=around,
    )
    return {
        "commune": commune,
        "directory_view": "producers",
        "producer_form": form,
        "producers": producers,
        "places": _places(producers, request=request),
    }


def _places(entries, *, request) -> list[dict]:
    links = page_links(request)
    places = []
    for entry in entries:
        url = links.url(entry) or ""
        detail = entry.address
        if entry.latitude is not None and entry.longitude is not None:
            places.append({"name": entry.title, "lat": entry.latitude, "lon": entry.longitude,
                           "url": url, "detail": detail})
        for block in getattr(entry, "pickup_points", []) or []:
            value = block.value
            if value.get("latitude") is not None and value.get("longitude") is not None:
                places.append({
                    "name": f"{value['name']} ({entry.title})",
                    "lat": value["latitude"], "lon": value["longitude"],
                    "url": url,
                    "detail": " · ".join(filter(None, [value.get("address"),
                                                       value.get("schedule")])),
                })
    return places

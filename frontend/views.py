"""Resident-site views that are not Wagtail pages: search, suggestions, contributions,
one event's .ics. Reads go through cms.readmodel.listings and search.query only."""

import functools
import math

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cms.api.feeds import FeedScope, calendar_build
from cms.communes.selectors import commune_list
from cms.content.kinds import kind_labels
from cms.core.ratelimit import address_bucket, client_address, rate_limit_hit
from cms.readmodel import listings as selectors
from search.query import (
    DATE_BUCKETS,
    SearchRequest,
    SearchRequestError,
    SearchUnavailable,
    search_run,
    search_suggest,
)

from .communes import commune_from_request
from .forms import ContributionForm
from .services import (
    ContributionRejected,
    contribution_slot_release,
    contribution_slot_take,
    contribution_submit,
)

SCOPE_CHOICES = [
    ("commune", gettext_lazy("Ma commune")),
    ("neighbours", gettext_lazy("Ma commune et ses voisines")),
    ("radius", gettext_lazy("Dans un rayon de…")),
    ("epci", gettext_lazy("Mon intercommunalité")),
    ("all", gettext_lazy("Toutes les communes")),
]
PAGE_SIZE = 20


def site_rate_limited(view):
    """`view` counted against CLOCHER_SITE_RATE_PER_MINUTE of its client's address."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        decision = rate_limit_hit(scope="site", who=address_bucket(client_address(request)),
                                  limit=settings.CLOCHER_SITE_RATE_PER_MINUTE,
                                  window_seconds=60)
        if not decision.allowed:
            response = HttpResponse(_("Trop de requêtes depuis cette adresse. Réessayez "
                                      "dans une minute."), status=429,
                                    content_type="text/plain; charset=utf-8")
            response["Retry-After"] = str(decision.retry_after)
            return response
        return view(request, *args, **kwargs)

    return limited


def _language() -> str:
    language = (translation.get_language() or "fr")[:2]
    return language if language in ("fr", "en", "de") else "fr"


def _number(value: str | None, *, cast=float):
    try:
        number = cast(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if number is not None and isinstance(number, float) and not math.isfinite(number):
        return None
    return number


@require_GET
@site_rate_limited
def search(request):
    """The regional search page: query, scope, facets, highlights, map of the communes."""
    commune = commune_from_request(request)
    params = request.GET
    text = params.get("q", "")[:500]
    scope = params.get("portee") or ("neighbours" if commune else "all")
    if scope not in dict(SCOPE_CHOICES):
        scope = "neighbours" if commune else "all"
    radius = _number(params.get("rayon"))
    page_number = _number(params.get("page"), cast=int) or 1
    search_request = SearchRequest(
        text=text, locale=_language(), commune=commune.insee_code if commune else None,
        scope=scope, radius_km=radius if scope == "radius" else None,
        kinds=tuple(params.getlist("type"))[:10],
        communes=tuple(params.getlist("lieu"))[:50],
        categories=tuple(params.getlist("categorie"))[:50],
        dates=params.get("quand") or None,
        include_past_events=params.get("passes") == "1",
        page=max(1, page_number), page_size=PAGE_SIZE,
    )
    results, error, status = None, None, 200
    if text.strip() or params.getlist("type") or params.get("quand") or params.getlist(
            "categorie") or params.getlist("lieu"):
        try:
            results = search_run(request=search_request)
        except SearchRequestError as exc:
            error, status = _search_error_text(exc), 400
        except SearchUnavailable:
            error, status = _("La recherche est momentanément indisponible. "
                              "Réessayez dans quelques minutes."), 503
    places = _search_places(results) if results and params.get("carte") == "1" else []
    pages = None
    if results and results.total > PAGE_SIZE:
        last = min(math.ceil(results.total / PAGE_SIZE), 10_000 // PAGE_SIZE)
        pages = {"number": results.page, "last": last,
                 "previous": results.page - 1 if results.page > 1 else None,
                 "next": results.page + 1 if results.page < last else None}
    context = {
        "commune": commune,
        "search_text": text,
        "scope": scope,
        "scope_choices": SCOPE_CHOICES,
        "radius": radius,
        "kinds": kind_labels(),
        "date_buckets": DATE_BUCKETS,
        "results": results,
        "error": error,
        "places": places,
        "show_map": params.get("carte") == "1",
        "pages": pages,
        "canonical_url": request.build_absolute_uri(reverse("frontend:search")),
        "meta_description": _("Rechercher actualités, événements, associations et "
                              "producteurs dans la commune et ses voisines."),
    }
    return render(request, "frontend/search.html", context, status=status)


def _search_error_text(error: SearchRequestError) -> str:
    names = {"q": _("la recherche"), "radius_km": _("le rayon"), "point": _("la position"),
             "commune": _("la commune"), "communes": _("la commune"), "kind": _("le type"),
             "category": _("la catégorie"), "dates": _("la date"), "page": _("la page"),
             "epci": _("l'intercommunalité"), "scope": _("la portée")}
    return _("Vérifiez %(what)s : %(problem)s") % {
        "what": names.get(error.param, error.param), "problem": error.message}


def _search_places(results) -> list[dict]:
    """Results placed on their commune's centre (hits carry no coordinates of their own)."""
    codes = {hit.commune_insee for hit in results.hits if hit.commune_insee}
    centres = {code: commune for code, commune in
               selectors.communes_by_insee(codes=codes).items() if commune.has_position}
    places = []
    for code, commune in centres.items():
        hits = [hit for hit in results.hits if hit.commune_insee == code]
        places.append({"name": f"{commune.title} ({len(hits)})", "lat": commune.latitude,
                       "lon": commune.longitude, "url": hits[0].url,
                       "detail": ", ".join(hit.title for hit in hits[:3])})
    return places


@require_GET
@site_rate_limited
def suggest(request):
    """Autocomplete: an htmx fragment listing matching titles (search_suggest)."""
    commune = commune_from_request(request)
    text = request.GET.get("q", "")[:100]
    suggestions = []
    if len(text.strip()) >= 2:
        try:
            suggestions = search_suggest(text=text, locale=_language(),
                                         commune=commune.insee_code if commune else None)
        except (SearchRequestError, SearchUnavailable):
            suggestions = []
    return render(request, "frontend/suggestions.html",
                  {"suggestions": suggestions, "search_text": text})


@require_http_methods(["GET", "POST"])
@site_rate_limited
def contribute(request):
    """The public form to propose an event, a news item or a directory entry."""
    commune = commune_from_request(request)
    if commune is None:
        return render(request, "frontend/contribute_choose.html",
                      {"communes": commune_list()},
                      status=404 if request.GET.get("commune") or request.POST.get("commune")
                      else 200)
    status = 200
    if request.method == "POST":
        form = ContributionForm(request.POST, request.FILES)
        address = client_address(request)
        if form.is_spam:
            # Answer like a success: a bot learns nothing.
            return redirect(f"{reverse('frontend:contribute-thanks')}?commune="
                            f"{commune.insee_code}")
        # The slot is taken before anything else, atomically: of concurrent posts from one
        # address, only the allowed number go on; a proposal not stored gives it back.
        if not contribution_slot_take(ip_address=address):
            form.is_valid()
            form.add_error(None, _("Vous avez déjà envoyé plusieurs propositions depuis "
                                   "cette adresse. Réessayez dans une heure."))
            status = 429
        elif form.is_valid():
            try:
                contribution_submit(commune=commune, data=form.cleaned_data,
                                    ip_address=address)
            except ContributionRejected as error:
                contribution_slot_release(ip_address=address)
                for field, messages in error.errors.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
                status = 400
            else:
                return redirect(f"{reverse('frontend:contribute-thanks')}?commune="
                                f"{commune.insee_code}")
        else:
            contribution_slot_release(ip_address=address)
            status = 400
    else:
        form = ContributionForm()
    if form.is_bound:
        form.flag_errors()
    return render(request, "frontend/contribute.html", {
        "commune": commune, "form": form, "nav_current": "contribute",
        "max_image_mb": settings.CLOCHER_CONTRIBUTION_MAX_IMAGE_BYTES // (1024 * 1024),
        "canonical_url": request.build_absolute_uri(reverse("frontend:contribute")),
    }, status=status)


@require_GET
def contribute_thanks(request):
    return render(request, "frontend/contribute_thanks.html",
                  {"commune": commune_from_request(request)})


@require_GET
@site_rate_limited
def event_ics(request, pk: int):
    """One event as an iCalendar file, built by the same code as the agenda feeds."""
    event = selectors.event_get_live(pk=pk)
    if event is None:
        raise Http404(_("Événement introuvable"))
    commune = selectors.commune_of(page=event)
    scope = FeedScope(request=request, communes=[commune] if commune else [], commune=commune)
    calendar = calendar_build(scope=scope, events=[event])
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug[:80]}.ics"'
    return response

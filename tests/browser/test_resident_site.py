"""A resident on the commune's site, in Debian's Chromium: navigation, agenda filters, map
markers, search with a facet and autocomplete, a contribution that reaches the admin's
moderation queue, the language switch; axe-core on every page type, at phone and desktop
widths (screenshots in test-artifacts/).

Run alone with `pytest -m browser tests/browser/test_resident_site.py`.
"""

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect
from wagtail.models import Locale, Site
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import translate_object

from cms.communes.roles import CommuneRole, user_add_to_role
from search.services import index_enqueue, outbox_drain
from tests.frontend.content import build_site_content

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Tiles come from the network in production; here a closed port makes every tile fail,
# which is the "tiles cannot load" case: markers and the list of places must remain.
settings_tiles = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def path(page_model) -> str:
    return urlsplit(page_model.url).path


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations reported by axe-core."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # Through DevTools, not a <script> tag: the site's CSP forbids inline scripts.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def check_page(page: Page, url: str, name: str, artifacts: Path, report: dict) -> None:
    """Open the page at phone then desktop width; screenshot and axe at both."""
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_load_state("load")
        page.screenshot(path=artifacts / f"{name}-{label}.png", full_page=True)
        report[f"{name}-{label}"] = axe_violations(page)


@pytest.fixture
def resident_site(live_server, commune, neighbour_commune, settings):
    settings.CLOCHER_MAP_TILE_URL = settings_tiles
    port = urlsplit(live_server.url).port
    Site.objects.filter(root_page=commune).update(port=port)
    Site.objects.filter(root_page=neighbour_commune).update(port=port)
    Site.clear_site_root_paths_cache()
    # Indexed after the port change: search results link to the commune's own host.
    content = build_site_content(commune, neighbour_commune)
    index_enqueue(page_ids=[p.pk for p in content.values() if hasattr(p, "path")])
    outbox_drain(force=True)
    return {"base": f"http://donges.localhost:{port}", "content": content,
            "live": live_server.url}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_type_is_accessible(browser_context, artifacts, resident_site):
    base, content = resident_site["base"], resident_site["content"]
    page = browser_context.new_page()
    urls = {
        "home": f"{base}/",
        "agenda": f"{base}/agenda/",
        "agenda-month": f"{base}/agenda/?vue=mois",
        "event": f"{base}{path(content['own_event'])}",
        "news-list": f"{base}/actualites/",
        "news": f"{base}{path(content['news'])}",
        "alert": f"{base}{path(content['alert'])}",
        "info": f"{base}{path(content['info'])}",
        "directory": f"{base}/annuaire/",
        "producers": f"{base}/annuaire/?vue=producteurs",
        "search": f"{base}/recherche/?q=chorale&carte=1",
        "contribute": f"{base}/proposer/",
        "not-found": f"{base}/introuvable/",
        "portal": f"{resident_site['live']}/",
    }
    report: dict = {}
    for name, url in urls.items():
        check_page(page, url, name, artifacts, report)
    (artifacts / "axe-report.json").write_text(json.dumps(report, indent=2))
    failing = {name: found for name, found in report.items() if found}
    assert failing == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_navigates_filters_agenda_and_sees_map(browser_context, artifacts,
                                                        resident_site):
    base = resident_site["base"]
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_have_text("Donges")
    expect(page.locator(".alert--urgent")).to_contain_text("Coupure d'eau")
    expect(page.locator(".card__commune", has_text="Montoir-de-Bretagne").first).to_be_visible()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Agenda").click()
    page.wait_for_url(f"{base}/agenda/")
    expect(page.locator("#agenda-results")).to_contain_text("Bal du port")
    # Markers on the map although the tiles fail; the list of places stays.
    expect(page.locator(".leaflet-marker-icon").first).to_be_attached()
    expect(page.locator(".map-places")).to_contain_text("Concert à l'église")
    page.screenshot(path=artifacts / "01-agenda-phone.png", full_page=True)
    # htmx: choosing a category updates the results and the address, without a reload.
    page.evaluate("window.__same_document = true")
    # Results first on a phone: the filters wait in a disclosure (issue 29).
    expect(page.locator("#id_categorie")).to_be_hidden()
    page.get_by_text("Filtrer l'agenda").click()
    page.locator("#id_categorie").select_option("marche")
    expect(page.locator("#agenda-results")).not_to_contain_text("Bal du port")
    expect(page.locator("#agenda-results")).to_contain_text("Marché du samedi")
    assert "categorie=marche" in page.url
    assert page.evaluate("window.__same_document") is True
    expect(page.locator(".subscribe a")).to_have_attribute(
        "href", "/api/feeds/44052/neighbourhood/events.ics?category=marche")
    page.locator("#id_vue").select_option("mois")
    # The month view opens on this month; the market, four days ahead, may be in the next.
    market_day = timezone.localtime(resident_site["content"]["market_event"].start)
    if market_day.month != timezone.localdate().month:
        page.get_by_role("link", name="Mois suivant").click()
    with translation.override("fr"):
        month_name = date_format(market_day, "F Y")
    month_table = page.get_by_role("table", name=re.compile(month_name, re.IGNORECASE))
    expect(month_table).to_contain_text("Marché du samedi")
    page.screenshot(path=artifacts / "02-agenda-month-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=artifacts / "03-agenda-month-desktop.png", full_page=True)
    # The same filter works without JavaScript, as a plain GET form.
    page.goto(f"{base}/agenda/?lieu=44103")
    expect(page.locator("#agenda-results")).to_contain_text("Bal du port")
    expect(page.locator("#agenda-results")).not_to_contain_text("Concert à l'église")
    # Producers on a map.
    page.goto(f"{base}/annuaire/?vue=producteurs&produit=miel")
    expect(page.locator("#directory-results")).to_contain_text("Ferme des Marais")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_with_autocomplete_and_facet(browser_context, artifacts, resident_site):
    base = resident_site["base"]
    page = browser_context.new_page()
    page.goto(f"{base}/recherche/")
    page.locator("#search-q").press_sequentially("concer", delay=60)
    suggestion = page.locator("#search-suggestions a", has_text="Concert à l'église")
    expect(suggestion).to_be_visible()
    page.screenshot(path=artifacts / "01-autocomplete.png")
    page.locator("#search-q").fill("concert")
    page.locator("#search-form button[type=submit]").click()
    expect(page.locator("#search-results")).to_contain_text("Concert à l'église")
    page.wait_for_load_state("networkidle")
    kind = page.locator("#search-results input[name=type][value=event]")
    expect(kind).to_be_hidden()  # the facets wait in a disclosure (issue 29)
    page.get_by_text("Affiner les résultats").click()
    expect(kind).to_be_visible()
    kind.check()
    page.wait_for_url("**type=event**")
    expect(page.locator("#search-results")).to_contain_text("Concert à l'église")
    expect(page.locator("#search-results input[name=type][value=event]")).to_be_checked()
    # The new results keep the disclosure the resident opened: the next facet is at hand.
    expect(page.locator("#search-results input[name=type][value=event]")).to_be_visible()
    page.screenshot(path=artifacts / "02-search-facet.png", full_page=True)
    suggestion_target = page.locator("#search-results a", has_text="Concert à l'église")
    suggestion_target.first.click()
    expect(page.locator("h1")).to_have_text("Concert à l'église")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_contribution_reaches_moderation_queue(browser_context, artifacts, resident_site,
                                               commune):
    base = resident_site["base"]
    page = browser_context.new_page()
    page.goto(f"{base}/proposer/")
    page.get_by_label("un événement").check()
    page.get_by_label("Titre").fill("Fest-noz de la Saint-Jean")
    page.locator("#id_text").fill("Danses bretonnes et galettes.")
    # First try with the end before the start: errors, and nothing typed is lost.
    day = timezone.localdate() + dt.timedelta(days=40)
    page.get_by_label("Début (événement)").fill(f"{day:%Y-%m-%d}T20:00")
    page.get_by_label("Fin (événement, facultatif)").fill(f"{day:%Y-%m-%d}T18:00")
    page.get_by_label("Votre nom").fill("Yann")
    page.get_by_label("Votre courriel").fill("yann@example.org")
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.locator("#form-errors")).to_contain_text("La fin doit suivre le début.")
    expect(page.get_by_label("Titre")).to_have_value("Fest-noz de la Saint-Jean")
    page.screenshot(path=artifacts / "01-contribution-errors.png", full_page=True)
    next_day = day + dt.timedelta(days=1)
    page.get_by_label("Fin (événement, facultatif)").fill(f"{next_day:%Y-%m-%d}T01:00")
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.locator("h1")).to_have_text("Merci pour votre proposition")
    page.screenshot(path=artifacts / "02-contribution-thanks.png")

    user = get_user_model().objects.create_user(username="com", password="com-pw")
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    live = resident_site["live"]
    page.goto(f"{live}/admin/login/")
    page.locator('input[name="username"]').fill("com")
    page.locator('input[name="password"]').fill("com-pw")
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(f"{live}/admin/")
    expect(page.locator("main")).to_contain_text("Fest-noz de la Saint-Jean")
    page.screenshot(path=artifacts / "03-admin-queue.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_language_switch(browser_context, artifacts, resident_site, commune):
    # As an editor does with wagtail-localize: translate, fill the title, publish.
    english = Locale.objects.get(language_code="en")
    translate_object(commune, [english])
    source = TranslationSource.objects.get_for_instance(commune)
    segment = StringSegment.objects.get(source=source, context__path="title")
    StringTranslation.objects.update_or_create(
        translation_of=segment.string, locale=english, context=segment.context,
        defaults={"data": "Donges (English)",
                  "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL})
    Translation.objects.get(source=source, target_locale=english).save_target(publish=True)
    base = resident_site["base"]
    page = browser_context.new_page()
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name="Langues").get_by_role("link").first.click()
    page.wait_for_url(f"{base}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Donges (English)")
    # The interface follows: menus and buttons are in English now.
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("link", name="Propose content")).to_be_visible()
    page.screenshot(path=artifacts / "01-english.png")

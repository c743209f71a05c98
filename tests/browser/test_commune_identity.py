"""The commune's identity in Chromium: every page type at 390 and 1280 px with an
identity (axe on each, screenshots in test-artifacts/; without one:
test_resident_site.py), the filters' disclosure, and the A4 posters printed to PDF on
exactly one page.

One browser session loops over the page types (CI time: docs/testing.md).
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from wagtail.models import Site

from frontend.models import CommuneIdentity
from tests.browser.test_resident_site import check_page, path
from tests.browser.test_resident_site import resident_site as resident_site_fixture

resident_site = resident_site_fixture


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_identity_on_every_page_type_and_one_page_poster(browser_context, artifacts,
                                                        resident_site, commune):
    base, content = resident_site["base"], resident_site["content"]
    page = browser_context.new_page()
    urls = {
        "home": f"{base}/",
        "agenda": f"{base}/agenda/?categorie=marche",
        "event": f"{base}{path(content['own_event'])}",
        "alert": f"{base}{path(content['alert'])}",
        "news": f"{base}{path(content['news'])}",
        "directory": f"{base}/annuaire/",
        "search": f"{base}/recherche/?q=chorale",
    }
    # Without an identity (the generated default) every page type is checked by
    # test_resident_site.py::test_every_page_type_is_accessible: here, with one.
    report: dict = {}
    CommuneIdentity.objects.create(
        site=Site.objects.get(root_page=commune), colour="#8a1538",
        welcome="Bienvenue à Donges.", town_hall_address="Place de la Mairie",
        opening_hours="Lundi–vendredi 9 h–12 h")
    for name, url in urls.items():
        check_page(page, url, f"identity-{name}", artifacts, report)
    (artifacts / "axe-report.json").write_text(json.dumps(report, indent=2))
    assert {name: found for name, found in report.items() if found} == {}

    # The colour reached the page through the commune's stylesheet (no inline style).
    page.goto(urls["home"])
    accent = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")
    assert accent == "#8a1538"

    # Active filter: the results, their count and the active filter on the first
    # screen of a phone; the disclosure holds the choice (no JavaScript needed).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(urls["agenda"])
    assert page.locator(".count").bounding_box()["y"] < 844
    assert page.locator(".active-filters").bounding_box()["y"] < 844
    page.get_by_text("Filtrer l'agenda").click()
    assert page.locator("#id_categorie").input_value() == "marche"

    for key in ("alert", "own_event"):
        page.goto(f"{base}/affiche/{content[key].pk}/")
        page.emulate_media(media="print")
        page.screenshot(path=artifacts / f"poster-{key}.png", full_page=True)
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (artifacts / f"poster-{key}.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1, key
        assert page.locator(".poster__qr svg").count() == 1
        page.emulate_media(media="screen")
    assert urlsplit(page.url).path.startswith("/affiche/")

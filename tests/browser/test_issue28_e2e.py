"""Issue 28 in real Chromium: an English page showing a French-only alert (with axe),
the moderation queue filtered by commune, onboarding a commune and inviting its
communicant, a communicant translating a page. Screenshots in test-artifacts/."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect
from wagtail.models import Locale

from cms.communes.models import CommuneHomePage
from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role
from cms.content.models import EventPage
from frontend.models import Contribution
from frontend.services import contribution_submit
from tests.browser.test_resident_site import axe_violations, resident_site  # noqa: F401
from tests.factories import soon

DATA = Path(__file__).resolve().parent.parent / "data"
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, live: str, username: str, password: str) -> None:
    page.goto(f"{live}/admin/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(f"{live}/admin/")


def test_english_page_shows_a_french_only_alert(browser_context, artifacts, resident_site):  # noqa: F811 (the fixture imported above)
    content = resident_site["content"]
    english = Locale.objects.get(language_code="en")
    translated = content["own_event"].copy_for_translation(english, copy_parents=True)
    translated.save_revision().publish()
    page = browser_context.new_page()
    page.goto(f"{resident_site['base']}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    alert = page.locator("section.alerts a", has_text="Coupure d'eau")
    expect(alert).to_have_attribute("lang", "fr")
    expect(page.locator("section.alerts")).to_contain_text("(in French)")
    languages = page.get_by_role("navigation", name="Languages")
    for name in ("Français", "Deutsch"):
        expect(languages.get_by_role("link", name=name)).to_be_visible()
    page.screenshot(path=artifacts / "01-english-home-french-alert.png", full_page=True)
    assert axe_violations(page) == []
    alert.click()
    page.wait_for_url("**/en/alertes/**")
    expect(page.locator("h1")).to_have_attribute("lang", "fr")
    expect(page.locator(".untranslated-note")).to_contain_text("not translated yet")
    page.screenshot(path=artifacts / "02-english-alert-page.png", full_page=True)
    assert axe_violations(page) == []


def test_moderation_queue_by_commune(browser_context, artifacts, resident_site, commune,  # noqa: F811 (the fixture imported above)
                                     neighbour_commune):
    contribution_submit(commune=commune, data={
        "kind": "event", "title": "Fest-noz de la Saint-Jean", "text": "Danses.",
        "start": soon(30), "end": None, "name": "Yann Le Goff", "email": "yann@example.org",
        "organiser": "", "venue_name": "", "address": ""}, ip_address=None)
    contribution_submit(commune=neighbour_commune, data={
        "kind": "event", "title": "Régates du port", "text": "Voiles.", "start": soon(20),
        "end": None, "name": "Anne", "email": "anne@example.org", "organiser": "Club nautique",
        "venue_name": "", "address": ""}, ip_address=None)
    user = get_user_model().objects.create_user(username="anim", password="anim-pw")
    user.groups.add(animateur_group_setup(name="Animation — CARENE",
                                          communes=[commune, neighbour_commune]))
    page = browser_context.new_page()
    log_in(page, resident_site["live"], "anim", "anim-pw")
    page.goto(f"{resident_site['live']}/admin/moderation/")
    queue = page.locator("table.moderation-queue")
    expect(queue).to_contain_text("Fest-noz de la Saint-Jean")
    expect(queue).to_contain_text("Régates du port")
    expect(queue).to_contain_text("yann@example.org")
    page.screenshot(path=artifacts / "01-moderation-queue.png", full_page=True)
    page.get_by_label("Commune", exact=True).select_option(neighbour_commune.insee_code)
    page.get_by_role("button", name="Filtrer").click()
    expect(queue).to_contain_text("Régates du port")
    expect(queue).not_to_contain_text("Fest-noz")
    page.screenshot(path=artifacts / "02-moderation-queue-filtered.png", full_page=True)

    # "Demander des modifications" with a comment: the resident gets the moderator's words.
    comment = "Merci de préciser l'heure de fin et le lieu."
    mail.outbox.clear()
    page.goto(f"{resident_site['live']}/admin/")
    row = page.locator("#awaiting-review-section tr", has_text="Fest-noz de la Saint-Jean")
    row.locator(".w-dropdown__toggle").click()
    row.locator('button[data-workflow-action-url*="/reject/"]').click()
    dialog = page.get_by_role("dialog")
    dialog.locator('textarea[name="comment"]').fill(comment)
    page.screenshot(path=artifacts / "03-request-changes-comment.png", full_page=True)
    with page.expect_navigation():
        dialog.locator('[type="submit"]').click()
    contribution = Contribution.objects.get(title="Fest-noz de la Saint-Jean")
    assert contribution.status == Contribution.Status.DECLINED
    assert contribution.moderator_comment == comment
    [message] = [m for m in mail.outbox if m.to == ["yann@example.org"]]
    assert comment in message.body


def test_onboarding_a_commune_and_inviting_its_communicant(browser_context, artifacts,
                                                           resident_site, settings):  # noqa: F811 (the fixture imported above)
    settings.CLOCHER_ETALAB_DATA_DIR = DATA / "etalab"
    settings.CLOCHER_GEONAMES_CSV = str(DATA / "geonames" / "cities1000-extract.csv")
    get_user_model().objects.create_superuser("root", "root@example.org", "root-pw")
    page = browser_context.new_page()
    live = resident_site["live"]
    log_in(page, live, "root", "root-pw")
    page.goto(f"{live}/admin/communes/ajouter/")
    page.get_by_label("Nom, code postal ou code INSEE").fill("corsept")
    page.get_by_role("button", name="Chercher dans les données officielles").click()
    page.screenshot(path=artifacts / "00-onboarding-search.png", full_page=True)
    page.get_by_role("link", name="Corsept").click()
    candidate = page.locator("section.onboarding-candidate")
    expect(candidate).to_contain_text("44046")
    page.screenshot(path=artifacts / "01-onboarding-candidate.png", full_page=True)
    page.get_by_role("button", name="Créer la commune (pages, site, rôles, modération)").click()
    expect(page.locator("section.onboarding-candidate")).to_contain_text(
        "Cette commune est sur la plateforme.")
    assert CommuneHomePage.objects.filter(insee_code="44046").exists()
    page.get_by_label("Courriel du communicant").fill("mairie@corsept.example")
    page.get_by_role("button", name="Inviter son premier communicant").click()
    expect(page.locator("body")).to_contain_text("Invitation envoyée à mairie@corsept.example")
    page.screenshot(path=artifacts / "02-onboarding-invited.png", full_page=True)
    assert get_user_model().objects.filter(email="mairie@corsept.example").exists()


def test_communicant_translates_a_page(browser_context, artifacts, resident_site, commune):  # noqa: F811 (the fixture imported above)
    user = get_user_model().objects.create_user(username="com", password="com-pw")
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    event = resident_site["content"]["own_event"]
    page = browser_context.new_page()
    live = resident_site["live"]
    log_in(page, live, "com", "com-pw")
    page.goto(f"{live}/admin/localize/submit/page/{event.pk}/")
    page.get_by_label("English").check()
    page.screenshot(path=artifacts / "01-translate-submit.png", full_page=True)
    page.get_by_role("button", name="Soumettre").click()
    page.wait_for_url("**/admin/pages/*/edit/")
    assert EventPage.objects.filter(translation_key=event.translation_key,
                                    locale__language_code="en").exists()
    page.screenshot(path=artifacts / "02-translation-editor.png", full_page=True)

"""A contributor's event reaches the commune's site only through the animateur's approval.

The commune's writer is a contributor, not a communicant: communicants may also
publish at once, contributors can only submit, so this is the path on which the
moderation workflow is the only way onto the site.

Run alone with `pytest -m browser`. Screenshots of each step land in test-artifacts/.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect
from wagtail.models import Site, Workflow, WorkflowState

from cms.communes.roles import CommuneRole, animateur_group_setup, user_add_to_role
from cms.content.models import EventIndexPage, EventPage
from tests.factories import EventPageFactory, section

TITLE = "Concert de la Saint-Nicolas"
SLUG = "concert-de-la-saint-nicolas"


@pytest.mark.browser
# The live server answers from another thread, so the data must be committed. The test
# needs the rows migrations created (locales, root page, root collection); an earlier
# transactional test's flush removes them, and serialized_rollback reloads them first.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_contributor_event_goes_live_after_animateur_approval(
    live_server, browser_context, artifacts, commune, neighbour_commune
):
    base = live_server.url
    port = urlsplit(base).port
    # Each commune is its own Wagtail Site on "<slug>.localhost" (commune_hostname()) at
    # CLOCHER_SITE_PORT. Only the port differs here: point Donges' Site at the live
    # server's. Chromium resolves every *.localhost name to the loopback, where the live
    # server listens, so the event is checked on the commune's own site, not via /donges/.
    Site.objects.filter(root_page=commune).update(port=port)
    commune_site = f"http://{commune.slug}.localhost:{port}"

    make_user = get_user_model().objects.create_user
    contributor = make_user(username="claire", password="claire-pw", first_name="Claire")
    user_add_to_role(user=contributor, commune=commune, role=CommuneRole.CONTRIBUTEUR)
    animateur = make_user(username="antoine", password="antoine-pw", first_name="Antoine")
    animateur.groups.add(
        animateur_group_setup(name="Animation — CARENE", communes=[commune, neighbour_commune])
    )
    # Already waiting in Montoir: the animateur's queue must show both communes.
    montoir_event = montoir_submission_pending(commune=neighbour_commune, title="Bal du port")
    agenda = section(commune, EventIndexPage)
    start = timezone.localtime() + dt.timedelta(days=10)
    start = start.replace(hour=20, minute=30, second=0, microsecond=0)

    page = browser_context.new_page()

    # 1. The contributor writes the event in the commune's Agenda and submits it.
    admin_login(page, base=base, username="claire", password="claire-pw")
    page.goto(f"{base}/admin/pages/{agenda.pk}/")
    page.locator(f'a[href="/admin/pages/{agenda.pk}/add_subpage/"]').first.click()
    # The Agenda only takes events, so Wagtail goes straight to the event form.
    page.wait_for_url(f"{base}/admin/pages/add/content/eventpage/{agenda.pk}/")
    page.locator('input[name="title"]').fill(TITLE)
    page.locator('input[name="start"]').fill(start.strftime("%Y-%m-%d %H:%M"))
    page.locator('input[name="end"]').fill(
        (start + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    )
    page.locator('select[name="time_zone"]').select_option("Europe/Paris")
    page.locator('textarea[name="summary"]').fill("Chorale et fanfare à l'église.")
    page.locator('input[name="venue_name"]').fill("Église Saint-Martin")
    page.locator('input[name="organiser"]').fill("Comité des fêtes")
    page.locator('input[name="is_free"]').check()
    expect(page.locator('input[name="slug"]')).to_have_value(SLUG)
    page.screenshot(path=artifacts / "01-event-form.png")

    footer = page.locator("footer")
    expect(footer.locator('button[name="action-publish"]')).to_have_count(0)
    footer.locator(".w-dropdown-button .w-dropdown__toggle").click()
    submit = footer.locator('button[name="action-submit"]')
    expect(submit).to_contain_text("Modération — Donges")
    submit.click()
    page.wait_for_url(f"{base}/admin/pages/{agenda.pk}/")
    page.screenshot(path=artifacts / "02-submitted.png")

    event = EventPage.objects.get(slug=SLUG)
    assert not event.live
    assert event.owner == contributor
    assert WorkflowState.objects.for_instance(event).get().status == "in_progress"
    # A visitor's tab (the browser itself resolves *.localhost): not published yet.
    visitor = browser_context.new_page()
    response = visitor.goto(f"{commune_site}/agenda/{SLUG}/")
    assert response is not None and response.status == 404
    visitor.close()

    admin_logout(page, base=base)

    # 2. The animateur finds both communes' submissions in one queue and approves Donges'.
    admin_login(page, base=base, username="antoine", password="antoine-pw")
    queue = page.locator("#awaiting-review-section")  # the panel "awaiting your review"
    expect(queue).to_contain_text(TITLE)
    expect(queue).to_contain_text(montoir_event.title)
    page.screenshot(path=artifacts / "03-animateur-queue.png")

    row = queue.locator("tr", has_text=TITLE)
    row.locator(".w-dropdown__toggle").click()
    # The approve button without data-launch-modal approves at once (no comment dialog).
    approve = row.locator('button[data-workflow-action-url*="/approve/"]:not([data-launch-modal])')
    # The dashboard posts the action and reloads itself (same URL): wait for that load.
    with page.expect_navigation():
        approve.click()
    expect(queue.locator("tr", has_text=TITLE)).to_have_count(0)
    expect(queue).to_contain_text(montoir_event.title)
    page.screenshot(path=artifacts / "04-approved.png")

    event.refresh_from_db()
    assert event.live
    assert WorkflowState.objects.for_instance(event).get().status == "approved"

    # 3. The event is live on Donges' site.
    response = page.goto(f"{commune_site}/agenda/{SLUG}/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".site-name")).to_contain_text("Donges")
    expect(page.locator("main")).to_contain_text("Église Saint-Martin")
    page.screenshot(path=artifacts / "05-live-on-commune-site.png", full_page=True)


def admin_login(page: Page, *, base: str, username: str, password: str) -> None:
    """Log into the Wagtail admin through its login form."""
    page.goto(f"{base}/admin/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(f"{base}/admin/")


def admin_logout(page: Page, *, base: str) -> None:
    """Log out through the sidebar's account menu (logging out is a POST form)."""
    page.locator(".sidebar-footer__account").click()
    page.locator('form[action="/admin/logout/"] button').click()
    page.wait_for_url(f"{base}/admin/login/**")


def montoir_submission_pending(*, commune, title: str) -> EventPage:
    """Put a draft event of this commune into its moderation workflow, as its contributor."""
    author = get_user_model().objects.create_user(username="contributeur-montoir")
    user_add_to_role(user=author, commune=commune, role=CommuneRole.CONTRIBUTEUR)
    event = EventPageFactory(
        parent=section(commune, EventIndexPage), title=title, live=False, owner=author
    )
    event.save_revision(user=author)
    Workflow.objects.get(workflow_pages__page=commune).start(event, author)
    return event

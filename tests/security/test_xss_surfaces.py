"""The XSS corpus stored through each channel, all payloads at once, then read back
where partners, residents and moderators see it: the database, /api/<kind>/<id>, the
public page, the admin's view_draft and the feeds. (One payload a case, without a
database: test_xss_inbound.py; in Chromium: tests/browser/test_xss_rendering.py.)"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Page, WorkflowState

from cms.content.kinds import kinds
from cms.content.models import DirectoryEntryPage
from cms.core import sanitise
from federation.models import SharedItem
from federation.sharing import share_decide
from tests.factories import make_alert, make_directory, make_news
from tests.federation.conftest import followed  # noqa: F401 (fixture)
from tests.federation.e2e.fixtures import ap_commune, peer  # noqa: F401 (fixtures)
from tests.federation.test_ap_inbound import send

from .xss import (
    PAYLOADS,
    html_values,
    joined_paragraphs,
    joined_text,
    live_markup,
    policy_violations,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def moderator_client():
    moderator = Client()
    moderator.force_login(get_user_model().objects.create_superuser(
        "securite", "securite@example.org", "pw"))
    return moderator


def feed_html(client, path: str) -> list[str]:
    """The HTML of each entry of an RSS (<description>) or Atom (<summary>) feed."""
    response = client.get(path)
    assert response.status_code == 200, path
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    return [node.text or "" for node in
            [*root.iter("description"), *root.iter(f"{ATOM}summary")]]


def assert_surfaces_inert(*, page, kind, client, moderator_client, stored: bool = True) -> None:
    """The stored HTML (unless the test stored it raw on purpose), the API's
    representation, the page and the admin's preview."""
    page = type(page).objects.get(pk=page.pk)
    for field, value in html_values(page, kind).items() if stored else ():
        assert policy_violations(value) == [], (kind.name, "stored", field)
    detail = client.get(f"/api/{kind.api_path}/{page.pk}")
    assert detail.status_code == 200, (kind.name, detail.status_code)
    for name, text_type in kind.text_fields.items():
        value = detail.json().get(name)
        if text_type == sanitise.HTML and isinstance(value, str):
            assert policy_violations(value) == [], (kind.name, "API", name)
    public = urlsplit(page.full_url)
    for reader, url, host in ((client, public.path, public.netloc),
                              (moderator_client, f"/admin/pages/{page.pk}/view_draft/",
                               "localhost")):
        response = reader.get(url, HTTP_HOST=host)
        assert response.status_code == 200, url
        assert live_markup(response.content.decode()) == [], (kind.name, url)


def remote_object(actor, kind, number: int, *, with_content: bool) -> dict:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data = {"id": f"{actor.url}/objects/{number}", "type": kind.ap_type,
            "clocherKind": kind.name, "attributedTo": actor.url, "url": f"{actor.url}/o/{number}",
            "name": PAYLOADS[number % len(PAYLOADS)], "summary": joined_text(),
            "published": now.isoformat(), "startTime": (now + dt.timedelta(days=3)).isoformat(),
            "location": {"type": "Place", "name": PAYLOADS[-1],
                         "address": {"streetAddress": PAYLOADS[0]}},
            "telephone": PAYLOADS[1], "openingHours": PAYLOADS[2]}
    if with_content:
        data["content"] = joined_paragraphs()
    return data


def test_activitypub_every_kind_every_field(client, moderator_client, followed,  # noqa: F811
                                            django_capture_on_commit_callbacks):
    """Finding 1, by class: every kind, with content and with a summary only."""
    stored = []
    for index, kind in enumerate(kinds()):
        for with_content in (True, False):
            number = 2 * index + int(with_content)
            obj = remote_object(followed, kind, number, with_content=with_content)
            assert send(client, followed, "Create", obj, number=number).status_code == 202
            page = kind.model.objects.get(ap_id=obj["id"])
            with django_capture_on_commit_callbacks(execute=True):
                share_decide(share=SharedItem.objects.get(page=page), action="accept",
                             user=None)
            stored.append((kind, page))
    assert len(stored) == 2 * len(kinds())
    for kind, page in stored:
        assert_surfaces_inert(page=page, kind=kind, client=client,
                              moderator_client=moderator_client)
    for feed in {kind.feed for kind in kinds() if kind.feed}:
        for extension in ("rss", "atom"):
            entries = feed_html(client, f"/api/feeds/donges/{feed}.{extension}")
            assert entries, (feed, extension)
            for entry in entries:
                assert policy_violations(entry) == [], (feed, extension)


def test_html_stored_by_any_path_renders_through_the_policy(client, moderator_client, commune):
    """Rich text that never met the inbound checks (rows stored before them, an import, a
    script): the page, the preview, the API and the feed still show it inert."""
    alert = make_alert(commune, title="Alerte", message=joined_paragraphs())
    entry = make_directory(commune, title="Fiche", kind="association",
                           description=joined_paragraphs())
    news = make_news(commune, title="Nouvelle", lead=joined_text()[:600],
                     body=[("paragraph", joined_paragraphs())])
    kinds_by_model = {kind.model: kind for kind in kinds()}
    for page in (alert, entry, news):
        assert_surfaces_inert(page=page, kind=kinds_by_model[type(page)], client=client,
                              moderator_client=moderator_client, stored=False)
    home = client.get("/", HTTP_HOST=urlsplit(commune.full_url).netloc)
    assert home.status_code == 200
    assert live_markup(home.content.decode()) == []
    for extension in ("rss", "atom"):
        entries = feed_html(client, f"/api/feeds/donges/news.{extension}")
        assert len(entries) >= 2
        for entry in entries:
            assert policy_violations(entry) == [], extension


def chunks(limit: int = 1900) -> list[str]:
    """The corpus as plain texts a proposal's description takes (2,000 characters)."""
    parts, current = [], ""
    for payload in PAYLOADS:
        if len(current) + len(payload) + 1 > limit:
            parts.append(current)
            current = ""
        current += payload + "\n"
    return [*parts, current]


def test_residents_proposals_every_kind(client, moderator_client, commune,
                                        django_capture_on_commit_callbacks):
    """Proposals carry the corpus in every text field: the moderators' preview, then the
    published page, the API and the news feed (the lead is plain text: finding 8)."""
    start = (dt.datetime.now() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    posted = []
    for kind in ("event", "news", "directory"):
        for number, text in enumerate(chunks()):
            title = f"{kind} {number} {PAYLOADS[number]}"[:200]
            response = client.post("/proposer/", {
                "commune": "44052", "kind": kind, "title": title, "text": text,
                "start": start, "venue_name": PAYLOADS[3][:200], "address": PAYLOADS[4],
                "directory_kind": "association", "name": PAYLOADS[5][:120],
                "email": "resident@example.org", "consent": "on", "nickname": ""},
                REMOTE_ADDR=f"203.0.113.{len(posted) + 1}")
            assert response.status_code == 302, response.content.decode()[:500]
            posted.append(title)
    pages = [Page.objects.get(title=sanitise.one_line(title)).specific for title in posted]
    moderator = get_user_model().objects.get(username="securite")
    kinds_by_model = {kind.model: kind for kind in kinds()}
    for page in pages:
        preview = moderator_client.get(f"/admin/pages/{page.pk}/view_draft/")
        assert preview.status_code == 200
        assert live_markup(preview.content.decode()) == [], page.title
        state = WorkflowState.objects.get(object_id=str(page.pk)).current_task_state
        with django_capture_on_commit_callbacks(execute=True):
            state.task.specific.on_action(state, moderator, "approve")
    for page in pages:
        assert_surfaces_inert(page=page, kind=kinds_by_model[type(page)], client=client,
                              moderator_client=moderator_client)
    for extension in ("rss", "atom"):
        entries = feed_html(client, f"/api/feeds/donges/news.{extension}")
        assert len(entries) >= len(chunks())
        for entry in entries:
            assert policy_violations(entry) == [], extension
    assert DirectoryEntryPage.objects.filter(live=True).count() >= len(chunks())

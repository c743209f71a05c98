"""Residents' contributions: a draft in the commune's workflow, anti-spam, emails."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from wagtail.models import Page, WorkflowState

from cms.content.models import DirectoryEntryPage, EventPage, NewsPage
from frontend.models import Contribution

pytestmark = pytest.mark.django_db

URL = "/proposer/"


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def form_moment(hour: int, days: int = 40) -> str:
    """A datetime-local field's value: `days` from today at `hour`:00 (the site's time)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def event_data(**overrides):
    data = {
        "commune": "44052", "kind": "event", "title": "Vide-grenier de l'école",
        "text": "Plus de 80 exposants dans la cour de l'école.",
        "start": form_moment(8), "end": form_moment(18),
        "venue_name": "École Jules-Ferry", "address": "Rue des écoles",
        "name": "Claire Martin", "email": "claire@example.org", "consent": "on",
        "nickname": "",
    }
    data.update(overrides)
    return data


def post(client, data, address="203.0.113.7", **files):
    return client.post(URL, {**data, **files}, REMOTE_ADDR=address)


def test_form_page_is_labelled(client, commune):
    response = client.get(f"{URL}?commune=44052")
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("title", "text", "start", "end", "image", "image_alt", "name", "email"):
        assert f'<label for="id_{name}">' in html, name
    assert 'name="nickname"' in html and 'aria-hidden="true"' in html


def test_event_contribution_becomes_a_draft_in_moderation(
    client, commune, django_capture_on_commit_callbacks
):
    image = SimpleUploadedFile("affiche.png", png_bytes(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_data(image_alt="L'affiche"), image=image)
    assert response.status_code == 302
    assert response["Location"].startswith("/proposer/merci/")
    event = EventPage.objects.get(title="Vide-grenier de l'école")
    assert not event.live
    assert event.get_parent().get_parent().specific == commune
    assert event.image is not None and event.image.description == "L'affiche"
    state = WorkflowState.objects.get(object_id=str(event.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    contribution = Contribution.objects.get(page=event)
    assert contribution.status == Contribution.Status.PENDING
    assert contribution.ip_address == "203.0.113.7"
    assert len(mail.outbox) >= 1
    confirmation = [m for m in mail.outbox if "claire@example.org" in m.to]
    assert confirmation and "bien reçue" in confirmation[0].subject


def test_news_and_directory_contributions(client, commune):
    assert post(client, event_data(kind="news", title="Nouvelle boulangerie")).status_code == 302
    assert NewsPage.objects.filter(title="Nouvelle boulangerie", live=False).exists()
    response = post(client, event_data(kind="directory", title="Club de pétanque",
                                       directory_kind="association", phone="02 40 00 00 00",
                                       website="club.example.org"))
    assert response.status_code == 302
    entry = DirectoryEntryPage.objects.get(title="Club de pétanque")
    assert entry.kind == "association" and not entry.live
    assert entry.website == "https://club.example.org"


def test_errors_keep_what_was_typed(client, commune):
    start = form_moment(18)
    response = post(client, event_data(start=start, end=form_moment(8),
                                       email="pas-un-courriel"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "La fin doit suivre le début." in html
    assert 'role="alert"' in html
    assert 'value="Vide-grenier de l&#x27;école"' in html
    assert "Plus de 80 exposants" in html
    assert f'value="{start}"' in html
    assert not EventPage.objects.filter(title="Vide-grenier de l'école").exists()


@pytest.mark.parametrize("overrides", [
    {"start": ""}, {"start": "demain"}, {"start": "0000-01-01T00:00"},
    {"start": "9999-12-31T23:59"}, {"title": ""}, {"title": "x" * 500}, {"kind": "spam"},
    {"consent": ""}, {"kind": "directory", "directory_kind": ""},
    {"kind": "directory", "directory_kind": "castle"}, {"website": "javascript:alert(1)"},
    {"text": "x" * 5000}, {"commune": "44052\x00"},
])
def test_bad_input_is_a_form_error_not_a_server_error(client, commune, overrides):
    response = post(client, event_data(**overrides))
    assert response.status_code in (302, 400, 404)
    assert response.status_code != 302 or overrides == {}


def test_bad_and_too_large_images(client, commune):
    not_an_image = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(URL, {**event_data(), "image": not_an_image, "image_alt": "x"},
                           REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 400
    with override_settings(CLOCHER_CONTRIBUTION_MAX_IMAGE_BYTES=100):
        big = SimpleUploadedFile("big.png", png_bytes((400, 400)), content_type="image/png")
        response = client.post(URL, {**event_data(), "image": big, "image_alt": "x"},
                               REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 400
    missing_alt = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = client.post(URL, {**event_data(), "image": missing_alt},
                           REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 400
    assert "Décrivez l&#x27;image" in response.content.decode()
    assert not EventPage.objects.exists()


def test_honeypot_stores_nothing(client, commune):
    response = post(client, event_data(nickname="http://spam.example"))
    assert response.status_code == 302
    assert not EventPage.objects.exists()
    assert not Contribution.objects.exists()
    assert mail.outbox == []


@override_settings(CLOCHER_CONTRIBUTION_RATE_LIMIT=2)
def test_rate_limit_per_address(client, commune):
    for number in range(2):
        assert post(client, event_data(title=f"Fête {number}")).status_code == 302
    blocked = post(client, event_data(title="Fête 3"))
    assert blocked.status_code == 429
    assert "Réessayez dans une heure" in blocked.content.decode()
    assert 'value="Fête 3"' in blocked.content.decode()
    # Another address is not blocked.
    assert post(client, event_data(title="Fête 4"), address="198.51.100.1").status_code == 302


def test_unknown_commune(client, commune):
    assert client.get(f"{URL}?commune=00000").status_code == 404
    assert client.get(URL).status_code == 200  # asks which commune


def test_contributor_told_when_published_and_when_declined(
    client, commune, django_capture_on_commit_callbacks
):
    post(client, event_data(title="Kermesse"))
    post(client, event_data(title="Loto", email="paul@example.org"))
    mail.outbox.clear()
    moderator = get_user_model().objects.create_superuser("modo", "modo@example.org", "pw")
    kermesse = Page.objects.get(title="Kermesse").specific
    state = WorkflowState.objects.get(object_id=str(kermesse.pk))
    task_state = state.current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state, moderator, "approve")
    contribution = Contribution.objects.get(title="Kermesse")
    assert contribution.status == Contribution.Status.PUBLISHED
    assert any("publiée" in m.subject and "claire@example.org" in m.to for m in mail.outbox)

    loto = Page.objects.get(title="Loto").specific
    state = WorkflowState.objects.get(object_id=str(loto.pk))
    task_state = state.current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state, moderator, "reject")
    assert Contribution.objects.get(title="Loto").status == Contribution.Status.DECLINED
    assert any("pas été retenue" in m.subject and "paul@example.org" in m.to
               for m in mail.outbox)


@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r", "\u2028", "\x0b"])
def test_line_break_in_a_title_still_mails_moderators_and_resident(
    client, commune, django_capture_on_commit_callbacks, line_break
):
    """A title is one line: in a mail subject a line break (a header injection attempt
    or a paste) made Django refuse every message naming the page, silently."""
    from cms.communes.roles import CommuneRole, user_add_to_role

    moderator = get_user_model().objects.create_user(
        "moderatrice", "moderatrice@example.org", "pw")
    user_add_to_role(user=moderator, commune=commune, role=CommuneRole.COMMUNICANT)
    title = f"Kermesse{line_break}Bcc: victime@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_data(title=title, name=f"Claire{line_break}Martin"))
    assert response.status_code == 302
    page = EventPage.objects.get(title="Kermesse Bcc: victime@example.org")
    assert Contribution.objects.get(page=page).title == page.title
    subjects = {recipient: m.subject for m in mail.outbox for recipient in m.to}
    assert "Kermesse Bcc: victime@example.org" in subjects["moderatrice@example.org"]
    assert "Kermesse Bcc: victime@example.org" in subjects["claire@example.org"]
    assert "victime@example.org" not in subjects
    assert all("\n" not in m.subject and "\r" not in m.subject for m in mail.outbox)


# Each thread's connection commits its proposal; serialized_rollback: the migrations' rows
# (locales, root page) an earlier transactional test's flush removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(CLOCHER_CONTRIBUTION_RATE_LIMIT=5)
def test_concurrent_proposals_from_one_address_stop_at_the_limit(commune):
    # Issue 24, finding 5: twelve proposals posted at once all went through (limit 5).
    import threading
    from collections import Counter

    from django.db import connection, connections
    from django.test import Client

    if connection.vendor == "sqlite":
        # SQLite in memory with a shared cache (the test database): concurrent writers
        # get "database table is locked" at once, where a deployment's SQLite file waits
        # for its lock (cms/settings/base.py). Run on PostgreSQL (CI's main pass).
        pytest.skip("concurrent writers on SQLite's in-memory test database fail at once")
    count = 12
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def propose(number: int) -> None:
        browser = Client()
        barrier.wait()
        try:
            statuses.append(post(browser, event_data(title=f"Fête {number}")).status_code)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=propose, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(statuses) == {302: 5, 429: 7}
    assert Contribution.objects.filter(ip_address="203.0.113.7").count() == 5
    assert EventPage.objects.filter(title__startswith="Fête ").count() == 5

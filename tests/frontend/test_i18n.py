"""The resident site's interface in French, English and German (issue 6).

Pages of a translated locale speak their language (menus, headings, buttons, dates, form
labels and errors, the contributor's email); the catalogues in frontend/locale are
complete, compiled, and hold every string the templates and Python code ask for.
"""

import ast
import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import dateformat, timezone, translation
from django.utils.translation.template import templatize
from wagtail.models import Locale, Page, WorkflowState

from cms.content.blocks import MONTHS, WEEKDAYS
from cms.content.models import (
    AlertSeverity,
    DirectoryKind,
    EventIndexPage,
    InfoTopic,
)
from frontend.templatetags.clocher_front import BORROWED_LABELS
from tests.factories import EventPageFactory, section

from .conftest import HOST

FRONTEND = Path(settings.BASE_DIR) / "frontend"
LOCALE = FRONTEND / "locale"
LANGUAGES = ("fr", "en", "de")
PARIS = ZoneInfo("Europe/Paris")
# What each language's "day_time" style should read, written out here rather than read
# from the catalogues under test; the names of days and months are Django's.
DAY_TIME = {"fr": "l j F Y, H:i", "en": "l j F Y, H:i", "de": "l, j. F Y, H:i"}


def saturday_evening() -> dt.datetime:
    """A Saturday four to five weeks from today, 20:30 in Paris: upcoming in the agenda
    on whatever day (and with whatever clock shift) the suite runs."""
    day = timezone.localdate() + dt.timedelta(days=28)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(20, 30), tzinfo=PARIS)


def shown(moment: dt.datetime, language: str, pattern: str | None = None) -> str:
    """`moment` in Paris as the site should show it in `language`."""
    with translation.override(language):
        return dateformat.format(moment.astimezone(PARIS), pattern or DAY_TIME[language])


@pytest.fixture(autouse=True)
def _french_after_each_test():
    # A request activates its language in this thread; later tests expect French.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def get(client, path, **extra):
    return client.get(path, HTTP_HOST=HOST, **extra)


def publish_translation(page, language_code: str):
    """Copy a page (and its missing parents) into a locale and publish the copies."""
    locale = Locale.objects.get(language_code=language_code)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for ancestor in translated.get_ancestors(inclusive=True).specific().filter(
            locale=locale, depth__gt=1):
        if not ancestor.live:
            ancestor.save_revision().publish()
    return translated.specific_class.objects.get(pk=translated.pk)


@pytest.fixture
def saturday_event(commune):
    event = EventPageFactory(parent=section(commune, EventIndexPage), title="Fest-noz",
                             start=saturday_evening(), end=None, all_day=False)
    event.save_revision().publish()
    return event


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_french_page_is_unchanged(client, site_content, saturday_event):
    html = get(client, "/").content.decode()
    assert '<html lang="fr">' in html
    assert '<a class="skip-link" href="#main" lang="fr">Aller au contenu</a>' in html
    assert 'aria-label="Menu principal"' in html and ">Accueil</a>" in html
    assert "Agenda de la commune et de ses voisines" in html
    assert shown(saturday_event.start, "fr") in html
    # Outside the language switch (which offers every language: issue 28), all is French.
    body = re.sub(r'<nav class="languages".*?</nav>', "", html.split("</head>")[1], flags=re.S)
    assert ' lang="en"' not in body and ' lang="de"' not in body


@pytest.mark.django_db
def test_english_commune_page_speaks_english(client, commune, saturday_event):
    publish_translation(saturday_event, "en")
    response = get(client, "/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main" lang="en">Skip to content</a>' in html
    assert '<header class="site-header">' in html
    assert '<nav class="site-nav" aria-label="Main menu">' in html
    assert ">Home</a>" in html and ">Events</a>" in html
    assert "Events in the commune and its neighbours" in html
    assert ">Propose content</a>" in html
    assert "Powered by Clocher" in html
    assert 'href="/en/proposer/?commune=44052"' in html
    assert shown(saturday_event.start, "en") in html
    for french in ("Aller au contenu", "Menu principal", "Accueil", "Proposer un contenu",
                   "samedi"):
        assert french not in html, french
    # A word: "mai" is in "<main".
    month = shown(saturday_event.start, "fr", "F")
    assert not re.search(rf"\b{month}\b", html), month
    # The French interface marks are gone: outside the language switch, all is English.
    assert ' lang="fr"' not in re.sub(r'<nav class="languages".*?</nav>', "", html,
                                      flags=re.S)


@pytest.mark.django_db
def test_german_event_page_has_german_date_and_labels(client, commune, saturday_event):
    german = publish_translation(saturday_event, "de")
    url = urlsplit(german.url).path
    assert url.startswith("/de/")
    html = get(client, url).content.decode()
    assert '<html lang="de">' in html
    assert shown(saturday_event.start, "de") in html
    assert "<dt>Wann</dt>" in html and "Zu meinem Kalender hinzufügen (.ics)" in html
    assert 'aria-label="Hauptmenü"' in html and ">Startseite</a>" in html
    assert "Zum Inhalt springen" in html


@pytest.mark.django_db
def test_german_agenda_counts_and_month_view(client, commune, saturday_event):
    german = publish_translation(saturday_event, "de")
    agenda = urlsplit(german.get_parent().url).path
    listing = get(client, agenda).content.decode()
    assert "1 Veranstaltung<" in listing and ">Filtern</button>" in listing
    start = saturday_event.start.astimezone(PARIS)
    month = get(client, f"{agenda}?vue=mois&mois={start:%Y-%m}").content.decode()
    assert f'<h2 id="month-heading">{shown(start, "de", "F Y")}</h2>' in month
    assert '<abbr title="Samstag">Sa</abbr>' in month


@pytest.mark.django_db
def test_untranslated_page_keeps_its_french_marked_inside_a_german_interface(
        client, commune, saturday_event):
    # Only English exists: Wagtail serves the French source page under /de/.
    publish_translation(saturday_event, "en")
    html = get(client, "/de/").content.decode()
    assert '<html lang="de">' in html
    assert "Veranstaltungen in der Gemeinde und ihren Nachbargemeinden" in html
    assert '<div class="intro" lang="fr">' in html
    assert 'lang="fr">Fest-noz</a>' in html
    assert shown(saturday_event.start, "de") in html


@pytest.mark.django_db
def test_english_search_page(client, commune):
    html = get(client, "/en/recherche/?commune=44052").content.decode()
    assert '<html lang="en">' in html
    assert "What are you looking for?" in html and ">My commune</option>" in html
    assert "Search around Donges" in html


# --- Contributions ----------------------------------------------------------------------


def contribution(**overrides):
    data = {"commune": "44052", "kind": "event", "title": "Fest-noz de la Saint-Jean",
            "text": "Musique bretonne.", "start": f"{saturday_evening():%Y-%m-%dT%H:%M}",
            "end": "", "venue_name": "", "address": "", "name": "Claire Martin",
            "email": "claire@example.org", "consent": "on", "nickname": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_english_contribution_form_labels_and_errors(client, commune):
    form = get(client, "/en/proposer/?commune=44052").content.decode()
    assert '<html lang="en">' in form
    assert 'action="/en/proposer/"' in form
    assert "Your name" in form and "(required)" in form and "Send my proposal" in form
    assert ">an event</label>" in form
    response = client.post("/en/proposer/", contribution(title="", start="", email="nope",
                                                         consent=""),
                           HTTP_HOST=HOST, REMOTE_ADDR="203.0.113.8")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The form contains errors:" in html
    assert '<a href="#id_title">Title</a>: This field is required.' in html
    assert "Give the start date and time." in html
    assert "Enter a valid email address." in html
    assert "Ce champ est obligatoire" not in html and "obligatoire" not in html


@pytest.mark.django_db
def test_german_contribution_form_errors(client, commune):
    response = client.post("/de/proposer/", contribution(kind="directory", start=""),
                           HTTP_HOST=HOST, REMOTE_ADDR="203.0.113.9")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Das Formular enthält Fehler:" in html
    assert "Wählen Sie die Art des Eintrags." in html


@pytest.mark.django_db
@pytest.mark.parametrize("prefix, subject, greeting", [
    ("", "Votre proposition « Fest-noz de la Saint-Jean » est bien reçue", "Bonjour Claire"),
    ("/en", "We have received your proposal “Fest-noz de la Saint-Jean”", "Hello Claire"),
    ("/de", "Ihr Vorschlag „Fest-noz de la Saint-Jean“ ist eingegangen", "Guten Tag Claire"),
])
def test_confirmation_email_in_the_residents_language(
        client, commune, django_capture_on_commit_callbacks, prefix, subject, greeting):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{prefix}/proposer/", contribution(), HTTP_HOST=HOST,
                               REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{prefix}/proposer/merci/")
    [message] = [m for m in mail.outbox if "claire@example.org" in m.to]
    assert message.subject == subject
    assert message.body.startswith(greeting) and "Donges" in message.body
    thanks = get(client, response["Location"]).content.decode()
    assert f'<html lang="{prefix.strip("/") or "fr"}">' in thanks


@pytest.mark.django_db
@pytest.mark.parametrize("prefix, published, declined", [
    ("/en", "Your proposal “Fest-noz de la Saint-Jean” is published",
     "Your proposal “Loto” was not accepted"),
    ("", "Votre proposition « Fest-noz de la Saint-Jean » est publiée",
     "Votre proposition « Loto » n'a pas été retenue"),
])
def test_moderation_emails_in_the_residents_language(
        client, commune, django_capture_on_commit_callbacks, prefix, published, declined):
    for title, address in (("Fest-noz de la Saint-Jean", "203.0.113.11"),
                           ("Loto", "203.0.113.12")):
        response = client.post(f"{prefix}/proposer/", contribution(title=title), HTTP_HOST=HOST,
                               REMOTE_ADDR=address)
        assert response.status_code == 302
    mail.outbox.clear()
    moderator = get_user_model().objects.create_superuser("modo", "modo@example.org", "pw")
    for title, action in (("Fest-noz de la Saint-Jean", "approve"), ("Loto", "reject")):
        page = Page.objects.get(title=title)
        task_state = WorkflowState.objects.get(object_id=str(page.pk)).current_task_state
        # The moderator works in the admin in French (or any language): not the resident's.
        with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
            task_state.task.specific.on_action(task_state, moderator, action)
    assert sorted(m.subject for m in mail.outbox) == sorted([published, declined])


@pytest.mark.django_db
@override_settings(CLOCHER_FRONTEND_CACHE_SECONDS=30)
def test_translated_contribution_form_is_never_cached(client, commune):
    # The form holds the reader's CSRF token: never cached, under any language prefix.
    client.cookies["csrftoken"] = "a" * 32
    cache.clear()
    get(client, "/en/proposer/?commune=44052")
    assert not [key for key in cache._cache if "frontend:page:" in str(key)]


# --- Catalogues -------------------------------------------------------------------------

GETTEXT_FUNCTIONS = {
    "_": "s", "gettext": "s", "gettext_lazy": "s", "gettext_noop": "s",
    "ngettext": "sp", "ngettext_lazy": "sp", "pgettext": "cs", "pgettext_lazy": "cs",
    "npgettext": "csp", "npgettext_lazy": "csp",
}
_QUOTED = re.compile(r"""\s*(u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*")\s*,?""")
_CALL = re.compile(r"(?<![\w.])(" + "|".join(GETTEXT_FUNCTIONS) + r")\(")


def _key(function: str, literals: list[str]) -> tuple:
    roles = dict(zip(GETTEXT_FUNCTIONS[function], literals, strict=False))
    return roles.get("c"), roles["s"], roles.get("p")


def _template_msgids(source: str) -> set[tuple]:
    """Msgids of a template, read from Django's templatize() as makemessages reads it."""
    text, found = templatize(source), set()
    for call in _CALL.finditer(text):
        literals, position = [], call.end()
        while match := _QUOTED.match(text, position):
            literals.append(ast.literal_eval(match.group(1)))
            position = match.end()
        found.add(_key(call.group(1), literals))
    return found


def _python_msgids(source: str) -> set[tuple]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        literals = [arg.value for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if len(literals) >= len(GETTEXT_FUNCTIONS[name]):
            found.add(_key(name, literals))
    return found


def source_msgids() -> set[tuple]:
    """What `make messages` would extract from frontend/ (templates and Python)."""
    found = set()
    for path in FRONTEND.rglob("*"):
        if LOCALE in path.parents or "__pycache__" in path.parts:
            continue
        if path.suffix in (".html", ".txt"):
            found |= _template_msgids(path.read_text())
        elif path.suffix == ".py":
            found |= _python_msgids(path.read_text())
    return found


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def entry_key(entry) -> tuple:
    return entry.msgctxt, entry.msgid, entry.msgid_plural or None


def translations(entries) -> dict:
    return {entry_key(e): e.msgstr_plural and {int(k): v for k, v in e.msgstr_plural.items()}
            or e.msgstr for e in entries if e.msgid and not e.obsolete}


def test_catalogues_hold_exactly_the_strings_of_the_code():
    extracted = source_msgids()
    assert len(extracted) > 200
    for language in LANGUAGES:
        keys = {entry_key(e) for e in catalogue(language) if not e.obsolete}
        assert extracted - keys == set(), f"{language}: not in the catalogue (make messages)"
        assert keys - extracted == set(), f"{language}: no longer used (make messages)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    po = catalogue(language)
    plural_forms = {"fr": "nplurals=2; plural=(n > 1);"}.get(
        language, "nplurals=2; plural=(n != 1);")
    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"] == plural_forms
    assert po.fuzzy_entries() == [] and not po.metadata_is_fuzzy
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    placeholder = re.compile(r"%\(\w+\)s|%s|%d")
    for entry in po:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        assert all(targets), entry.msgid
        wanted = sorted(set(placeholder.findall(" ".join(sources))))
        for target in targets:
            assert sorted(set(placeholder.findall(target))) == wanted, entry.msgid
        if language == "fr":  # French is the source language: the text is the msgid.
            assert targets == sources, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    # The .mo files are committed (no GNU gettext needed to run); after editing a .po,
    # run `make messages` (or compilemessages) so that this stays true.
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = polib.mofile(str(folder / "django.mo"))
    assert translations(compiled) == translations(catalogue(language))


def test_labels_of_other_apps_shown_on_the_site_are_translated():
    with translation.override(None):
        shown = {str(label) for choices in (AlertSeverity.choices, DirectoryKind.choices,
                                            InfoTopic.choices, WEEKDAYS, MONTHS)
                 for _value, label in choices}
    assert shown == set(BORROWED_LABELS)
    for language in ("en", "de"):
        translated = {e.msgid for e in catalogue(language) if e.msgstr}
        assert shown - translated == set(), language
    with translation.override("de"):
        assert translation.gettext("vigilance") == "Warnung"


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_follow_the_active_language(language):
    from frontend.templatetags.clocher_front import local_date

    start = saturday_evening()
    with translation.override(language):
        assert local_date(start, "day_time") == shown(start, language)

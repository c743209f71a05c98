"""Signing up without an account, double opt-in, signed links to manage, export,
delete and unsubscribe; bad input is a form error or a 4xx, never a 500 nor a change."""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from cms.publishing.models import OutboxMessage
from notify import tokens
from notify.models import PushSubscription, Subscriber
from notify.services import CONFIRM
from tests.factories import worker_pass

from .conftest import subscriber

URL = "/abonnement/"


def _post(client, commune, email="habitant@example.org", **extra):
    data = {"email": email, "communes": [commune.insee_code], "alerts": "urgent",
            "digest": "daily", **extra}
    return client.post(f"{URL}?commune={commune.insee_code}", data)


def _link(message, name) -> str:
    match = re.search(rf"http://testserver(/\S*/{name}/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_the_form_preselects_the_commune_and_its_neighbours(client, commune, neighbour_commune,
                                                            far_commune):
    response = client.get(URL, {"commune": commune.insee_code})
    assert response.status_code == 200
    html = response.content.decode()
    for near in (commune, neighbour_commune):
        assert re.search(rf'value="{near.insee_code}"[^>]*checked', html), near.title
    assert f'value="{far_commune.insee_code}"' not in html
    assert 'name="email"' in html and "<script" not in html.split("</main>")[0].split(
        "<main")[1]  # the form needs no script


@pytest.mark.django_db
def test_sign_up_sends_a_confirmation_and_nothing_counts_before_it(client, commune,
                                                                   neighbour_commune):
    response = _post(client, commune, email="Habitant@Example.org",
                     communes=[commune.insee_code, neighbour_commune.insee_code], news="on")
    assert response.status_code == 302 and response["Location"] == "/abonnement/envoye/"
    row = Subscriber.objects.get()
    assert row.email == "habitant@example.org" and row.email_confirmed_at is None
    assert set(row.communes.values_list("pk", flat=True)) == {commune.pk, neighbour_commune.pk}
    assert row.news and not row.events
    # The request waits for no mail server: the worker sends what the sign-up enqueued.
    assert not mail.outbox
    assert OutboxMessage.objects.filter(category=CONFIRM, object_id=row.pk).exists()
    worker_pass(CONFIRM)
    [message] = mail.outbox
    assert message.to == ["habitant@example.org"]
    link = _link(message, "confirmer")
    # Following the link (a mail scanner does) does not confirm; the button does.
    assert client.get(link).status_code == 200
    row.refresh_from_db()
    assert row.email_confirmed_at is None
    response = client.post(link)
    assert response.status_code == 302 and "/abonnement/gerer/" in response["Location"]
    row.refresh_from_db()
    assert row.email_confirmed_at is not None


@pytest.mark.django_db
def test_a_known_address_gets_a_link_and_the_visitor_learns_nothing(client, commune,
                                                                    neighbour_commune):
    known = subscriber(commune, alerts="all")
    response = _post(client, neighbour_commune, email=known.email)
    assert response.status_code == 302 and response["Location"] == "/abonnement/envoye/"
    known.refresh_from_db()
    assert known.alerts == "all"
    assert list(known.communes.all()) == [commune]  # nothing changed without the link
    worker_pass(CONFIRM)
    [message] = mail.outbox
    # The link names this subscriber (its token is signed when the worker sends it).
    token = re.search(r"/abonnement/gerer/([^/\s]+)/", message.body).group(1)
    assert tokens.manage_subscriber(token) == known


@pytest.mark.django_db
@pytest.mark.parametrize("data", [
    {"email": "not-an-address"},
    {"email": ""},
    {"communes": ["99999"]},
    {"communes": []},
    {"alerts": "everything"},
    {"digest": "hourly"},
    {"email": "a@b.c\x00d"},
])
def test_bad_input_is_a_form_error_and_stores_nothing(client, commune, data):
    response = _post(client, commune, **data)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()
    assert not Subscriber.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_a_flood_of_sign_ups_from_one_address_is_limited(client, commune, settings):
    settings.NOTIFY_SUBSCRIBE_RATE_PER_HOUR = 3
    codes = [_post(client, commune, email=f"r{n}@example.org").status_code for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Subscriber.objects.count() == 3


@pytest.mark.django_db
def test_one_inbox_cannot_be_flooded_from_many_addresses(commune, settings):
    settings.NOTIFY_MAILS_PER_ADDRESS_PER_DAY = 2
    for n in range(5):
        response = _post(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), commune,
                         email="victim@example.org")
        assert response.status_code == 302  # the same answer each time
    worker_pass(CONFIRM)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_manage_link_changes_exports_and_deletes(client, commune, neighbour_commune):
    row = subscriber(commune)
    url = f"/abonnement/gerer/{tokens.manage_token(row)}/"
    page = client.get(url)
    assert page.status_code == 200 and "habitant@example.org" in page.content.decode()
    response = client.post(url, {"communes": [neighbour_commune.insee_code], "alerts": "all",
                                 "events": "on", "digest": "weekly"})
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.alerts, row.events, row.digest) == ("all", True, "weekly")
    assert list(row.communes.all()) == [neighbour_commune]
    exported = client.get(f"{url}export.json")
    assert exported.status_code == 200
    data = json.loads(exported.content)
    assert data["email"] == "habitant@example.org"
    assert data["communes"] == [{"insee_code": neighbour_commune.insee_code,
                                 "name": neighbour_commune.title}]
    assert client.post(f"{url}supprimer/").status_code == 302
    assert not Subscriber.objects.exists()
    assert client.get(url).status_code == 400  # the link died with the data


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_no_cookie_and_no_csrf_token(commune):
    row = subscriber(commune)
    client = Client(enforce_csrf_checks=True)
    url = f"/abonnement/desinscription/{tokens.manage_token(row)}/"
    assert client.get(url).status_code == 200
    assert Subscriber.objects.exists()  # a GET (a scanner) changes nothing
    response = client.post(url, "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["gerer", "desinscription", "confirmer", "gerer-export"])
def test_a_tampered_link_is_refused_and_changes_nothing(client, commune, path):
    row = subscriber(commune)
    other = subscriber(commune, email="autre@example.org")
    token = (tokens.confirm_token(row) if path == "confirmer" else tokens.manage_token(row))
    forged = token.replace(f"[{row.pk},", f"[{other.pk},") if "[" in token else token[:-2] + "xx"
    url = {"gerer": f"/abonnement/gerer/{forged}/",
           "gerer-export": f"/abonnement/gerer/{forged}/export.json",
           "desinscription": f"/abonnement/desinscription/{forged}/",
           "confirmer": f"/abonnement/confirmer/{forged}/"}[path]
    assert client.get(url).status_code == 400
    assert client.post(url, {"alerts": "all"}).status_code in (400, 405)
    assert Subscriber.objects.count() == 2
    assert set(Subscriber.objects.values_list("alerts", flat=True)) == {"urgent"}


@pytest.mark.django_db
def test_a_manage_token_signed_for_another_purpose_is_refused(client, commune):
    row = subscriber(commune, confirmed=False)
    # The confirmation link's token does not open the settings, nor the reverse.
    assert client.get(f"/abonnement/gerer/{tokens.confirm_token(row)}/").status_code == 400
    assert client.post(f"/abonnement/confirmer/{tokens.manage_token(row)}/").status_code == 400
    row.refresh_from_db()
    assert row.email_confirmed_at is None


KEYS = {"p256dh": "B" + "A" * 86, "auth": "A" * 22}


def _push(client, commune, **overrides):
    body = {"subscription": {"endpoint": "https://push.example.net/send/abc", "keys": KEYS},
            "communes": [commune.insee_code], "alerts": "all", **overrides}
    return client.post("/abonnement/push/", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_a_push_subscription_is_stored_with_its_choices(client, commune):
    response = _push(client, commune)
    assert response.status_code == 201
    assert "/abonnement/gerer/" in response.json()["manage_url"]
    push = PushSubscription.objects.get()
    assert push.subscriber.alerts == "all" and list(push.subscriber.communes.all()) == [commune]
    assert _push(client, commune, alerts="urgent").status_code == 201  # same browser again
    assert PushSubscription.objects.count() == 1 and Subscriber.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    "not json", "[]", '{"subscription": "x"}',
    json.dumps({"subscription": {"endpoint": "http://push.example.net/x", "keys": KEYS}}),
    json.dumps({"subscription": {"endpoint": "https://push.example.net/x",
                                 "keys": {"p256dh": "short", "auth": "A" * 22}}}),
    json.dumps({"subscription": {"endpoint": "https://push.example.net/x", "keys": KEYS},
                "communes": ["99999"]}),
    json.dumps({"subscription": {"endpoint": "https://push.example.net/x", "keys": KEYS},
                "communes": "44052"}),
    json.dumps({"subscription": {"endpoint": ["x"], "keys": KEYS}}),
    # Endpoints that would make the server post to itself or its network (SSRF).
    *(json.dumps({"subscription": {"endpoint": endpoint, "keys": KEYS}}) for endpoint in (
        "https://169.254.169.254/latest/meta-data/", "https://10.0.0.7/push",
        "https://[::1]:8443/push", "https://localhost/push", "https://127.0.0.1/push",
        "https://[::ffff:192.168.1.1]/push", "https://user:secret@push.example.net/x")),
])
def test_a_malformed_push_subscription_is_a_400(client, commune, body):
    response = client.post("/abonnement/push/", body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    assert not PushSubscription.objects.exists() and not Subscriber.objects.exists()


@pytest.mark.django_db
def test_each_commune_page_and_the_alert_banner_link_to_the_form(client, commune):
    from tests.factories import make_alert, publish

    publish(make_alert(commune, severity=3, title="Coupure d'eau"))
    html = client.get(commune.url, HTTP_HOST=commune.get_site().hostname).content.decode()
    link = f"/abonnement/?commune={commune.insee_code}"
    assert html.count(link) == 2, html  # the footer and the alert banner

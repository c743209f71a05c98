"""E-mail through a real SMTP server on loopback (aiosmtpd), reading what it received:
the urgent alert at once, the digest of the rest, the one-click unsubscribe headers
(RFC 8058) and what a POST to them does."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from cms.readmodel.models import PublishedItem
from notify import links
from notify.digest import digests_send
from notify.fanout import NOTIFY
from notify.mail import MessageTemplate
from notify.models import Delivery, Subscriber
from tests.factories import make_alert, make_event, make_news, publish, worker_pass

from .conftest import subscriber
from .smtp import smtp_start


@pytest.fixture
def smtp(settings):
    controller, mailbox = smtp_start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Mairie <mairie@example.org>"
    yield mailbox
    controller.stop()


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _digest_time(days: int = 0) -> dt.datetime:
    """Today at 08:00 local time (after NOTIFY_DIGEST_HOUR), `days` later."""
    local = timezone.localtime(timezone.now()) + dt.timedelta(days=days)
    return local.replace(hour=8, minute=0, second=0, microsecond=0)


@pytest.mark.django_db
def test_an_urgent_alert_arrives_at_once_with_one_click_unsubscribe(smtp, commune):
    row = subscriber(commune)
    publish(make_alert(commune, severity=3, title="Coupure d'eau rue du Port",
                       message="<p>Coupure de 9 h à 12 h.</p>"))
    worker_pass(NOTIFY)
    [received] = smtp.messages()
    message = received.message
    assert received.recipients == ["habitant@example.org"]
    assert received.sender == "mairie@example.org"
    assert "Coupure d'eau rue du Port" in message["Subject"]
    assert "Coupure de 9 h à 12 h." in _text(message)
    assert "Coupure de 9 h à 12 h." in _html(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith("http://testserver/abonnement/desinscription/")
    # What a mail client does with the header (RFC 8058 §3.2): a POST, no cookie.
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(unsubscribe).path, "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscriber.objects.filter(pk=row.pk).exists()
    assert not Delivery.objects.exists()  # the log goes with the subscriber


@pytest.mark.django_db
def test_each_copy_from_the_serialised_message_is_the_subscribers_own(smtp, commune):
    """The worker swaps address, links and Message-ID in bytes serialised once: each
    copy must read as the one Django's builder makes for that subscriber."""
    rows = [subscriber(commune, email=f"habitant{n}@example.org") for n in range(3)]
    publish(make_alert(commune, severity=3, title="Crue de la Loire",
                       message="<p>Évitez les quais.</p>"))
    worker_pass(NOTIFY)
    received = {r.recipients[0]: r.message for r in smtp.messages()}
    assert sorted(received) == sorted(row.email for row in rows)
    template = MessageTemplate(language="fr", subject="Alerte urgente : Crue de la Loire",
                               template="alert", context={
                                   "item": PublishedItem.objects.get(title="Crue de la Loire"),
                                   "summary": "Évitez les quais."})
    for row in rows:
        message, built = received[row.email], template.build(row).message()
        for header in ("To", "From", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post"):
            assert str(message[header]) == str(built[header]).replace("\n", ""), header
        for received_part, built_part in ((_text(message), built.get_payload()[0]),
                                          (_html(message), built.get_payload()[1])):
            assert received_part.replace("\r\n", "\n") == built_part.get_payload(
                decode=True).decode()
        assert links.unsubscribe_url(row) in _html(message)
    assert len({str(message["Message-ID"]) for message in received.values()}) == 3


@pytest.mark.django_db
def test_an_address_that_needs_encoding_goes_through_the_builder(smtp, commune):
    subscriber(commune, email="élodie@exemple.fr")
    subscriber(commune, email="habitant@example.org")
    publish(make_alert(commune, severity=3, title="Tempête"))
    worker_pass(NOTIFY)
    assert sorted(r.recipients[0] for r in smtp.messages()) == [
        "habitant@example.org", "élodie@exemple.fr"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_refused_address_fails_without_holding_back_the_others(smtp, commune):
    subscriber(commune, email="inconnu@example.org")
    subscriber(commune, email="habitant@example.org")
    smtp.refused.add("inconnu@example.org")
    publish(make_alert(commune, severity=3))
    worker_pass(NOTIFY)
    assert [r.recipients for r in smtp.messages()] == [["habitant@example.org"]]
    states = dict(Delivery.objects.values_list("subscriber__email", "state"))
    assert states == {"inconnu@example.org": "failed", "habitant@example.org": "sent"}


@pytest.mark.django_db
def test_the_daily_digest_lists_what_waited_once(smtp, commune):
    subscriber(commune, alerts="all", news=True, events=True)
    subscriber(commune, email="hebdo@example.org", news=True, digest="weekly",
               digest_sent_at=timezone.now() - dt.timedelta(days=2))
    publish(make_alert(commune, severity=2, title="Vigilance crues"))
    publish(make_news(commune, title="Kermesse des écoles"))
    publish(make_event(commune, title="Bal du port"))
    withdrawn = publish(make_news(commune, title="Annulé avant le résumé"))
    worker_pass(NOTIFY)
    assert smtp.messages() == []  # none of these is urgent
    withdrawn.unpublish()
    assert digests_send(now=_digest_time().replace(hour=5))["sent"] == 0  # too early
    assert digests_send(now=_digest_time())["sent"] == 1
    [received] = smtp.messages()
    assert received.recipients == ["habitant@example.org"]
    text = _text(received.message)
    for title in ("Vigilance crues", "Kermesse des écoles", "Bal du port"):
        assert title in text
    assert "Annulé avant le résumé" not in text
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nothing twice: the same day, the next day with nothing new.
    assert digests_send(now=_digest_time())["sent"] == 0
    assert digests_send(now=_digest_time(days=1))["sent"] == 0
    assert len(smtp.messages()) == 1
    # The weekly subscriber's week is not over.
    assert Delivery.objects.filter(subscriber__email="hebdo@example.org",
                                   state="digest").count() == 1


@pytest.mark.django_db
def test_the_digest_speaks_the_subscribers_language(smtp, commune):
    subscriber(commune, news=True, language="en")
    publish(make_news(commune, title="Kermesse"))
    worker_pass(NOTIFY)
    digests_send(now=_digest_time())
    [received] = smtp.messages()
    assert received.message["Subject"] == "Your daily digest"
    assert "News" in _text(received.message)
    assert "/en/abonnement/gerer/" in _text(received.message)


def test_no_digest_due_opens_no_connection_to_the_mail_server(settings, commune):
    # An idle worker runs this job every hour: with nothing to send, an unreachable
    # mail server (nothing listens on port 9 here) is never contacted.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert digests_send(now=_digest_time()) == {}


@pytest.mark.django_db
def test_a_sign_up_waits_for_no_mail_server_and_its_confirmation_survives_an_outage(
        smtp, commune, settings):
    from cms.publishing.models import OutboxMessage
    from cms.publishing.outbox import outbox_drain
    from notify.services import CONFIRM

    from .smtp import free_port

    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nothing listens
    response = Client().post(f"/abonnement/?commune={commune.insee_code}", {
        "email": "habitant@example.org", "communes": [commune.insee_code],
        "alerts": "urgent", "digest": "daily"})
    assert response.status_code == 302  # the request did not try the mail server
    worker_pass(CONFIRM)
    row = OutboxMessage.objects.get(category=CONFIRM)
    assert row.state == "pending" and row.attempts == 1  # retried later, not lost
    assert smtp.messages() == []
    settings.EMAIL_PORT = working_port
    outbox_drain(categories=[CONFIRM], force=True)
    [received] = smtp.messages()
    assert received.recipients == ["habitant@example.org"]
    assert "/confirmer/" in _text(received.message)
    row.refresh_from_db()
    assert row.state == "done"

"""The communicator's side: reach per channel, delivery counts after publishing, a
resend of failures, addresses never shown in full; retention of the delivery log."""

import datetime as dt

import pytest
from django.utils import timezone

from notify.delivery import deliveries_sweep
from notify.fanout import NOTIFY
from notify.models import Delivery, PushSubscription, Subscriber
from notify.services import unconfirmed_sweep
from tests.factories import make_alert, publish, worker_pass
from tests.federation.conftest import communicant

from .conftest import subscriber


@pytest.fixture
def published(commune, settings):
    subscriber(commune, email="jeanne.dupont@example.org")
    subscriber(commune, email="refuse@example.org")
    texter = subscriber(commune, email="", phone="+33612345678",
                        phone_confirmed_at=timezone.now())
    PushSubscription.objects.create(subscriber=texter, endpoint="https://push.example/1",
                                    p256dh="x", auth="y")
    subscriber(commune, email="info-seulement@example.org", alerts="none")
    settings.EMAIL_BACKEND = "tests.notify.backends.RefuseOneBackend"
    alert = publish(make_alert(commune, severity=3, title="Tempête"))
    worker_pass(NOTIFY)
    return alert


@pytest.mark.django_db
def test_the_report_counts_per_channel_and_masks_addresses(client, commune, published):
    client.force_login(communicant(commune, "com"))
    html = client.get(f"/admin/notifications/page/{published.pk}/").content.decode()
    assert ('<tr data-channel="email"><td>email</td><td class="sent">1</td>'
            '<td class="failed">1</td>') in html
    assert "r***@example.org" in html
    for address in ("refuse@example.org", "jeanne.dupont@example.org", "+33612345678"):
        assert address not in html
    reach = client.get(f"/admin/notifications/page/{published.pk}/portee.json").json()
    # SMS and push are not configured here: reach counts subscribers, not settings.
    assert (reach["email"], reach["push"], reach["sms"]) == (2, 1, 1)
    warning = client.get(f"/admin/notifications/page/{published.pk}/portee.json",
                         {"severity": "2"}).json()
    assert (warning["email"], warning["sms"]) == (0, 0)  # nobody chose every alert


@pytest.mark.django_db
def test_failures_can_be_resent(client, commune, published, settings):
    client.force_login(communicant(commune, "com"))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(f"/admin/notifications/page/{published.pk}/renvoyer/")
    assert response.status_code == 302
    assert Delivery.objects.filter(state="pending", channel="email").count() == 1
    from django.core import mail

    from notify.delivery import deliveries_send

    deliveries_send()
    assert [m.to for m in mail.outbox] == [["refuse@example.org"]]


@pytest.mark.django_db
def test_another_communes_communicator_sees_nothing(client, neighbour_commune, published):
    client.force_login(communicant(neighbour_commune, "autre"))
    for url in (f"/admin/notifications/page/{published.pk}/",
                f"/admin/notifications/page/{published.pk}/portee.json"):
        assert client.get(url).status_code in (302, 403)
    assert client.post(f"/admin/notifications/page/{published.pk}/renvoyer/"
                       ).status_code in (302, 403)
    assert Delivery.objects.filter(state="failed").count() == 1


@pytest.mark.django_db
def test_the_delivery_log_and_unconfirmed_sign_ups_are_swept(commune, settings):
    settings.NOTIFY_DELIVERY_RETENTION_DAYS = 90
    row = subscriber(commune)
    publish(make_alert(commune, severity=3))
    worker_pass(NOTIFY)
    old = timezone.now() - dt.timedelta(days=91)
    assert deliveries_sweep() == 0
    Delivery.objects.update(created_at=old)
    assert deliveries_sweep() == 1
    stale = subscriber(commune, email="jamais@example.org", confirmed=False)
    Subscriber.objects.filter(pk=stale.pk).update(created_at=old)
    assert unconfirmed_sweep() == 1
    assert list(Subscriber.objects.all()) == [row]

"""Web Push against a push service on loopback that verifies the VAPID signature and
decrypts the payload (tests/notify/push_service.py): what a browser would show, once;
a subscription the service says is gone is removed."""

import json
import socket
from io import StringIO

import pytest
from django.core.management import call_command

from cms.core.addresses import address_is_public
from notify.fanout import NOTIFY
from notify.models import Delivery, PushSubscription, Subscriber
from tests.factories import make_alert, publish, worker_pass

from .push_service import push_service_start


@pytest.fixture(scope="module")
def vapid_keys():
    out = StringIO()
    call_command("notify_vapid_keys", stdout=out)
    return dict(line.split("=", 1) for line in out.getvalue().split())


@pytest.fixture
def push_service(settings, vapid_keys):
    settings.NOTIFY_VAPID_PRIVATE_KEY = vapid_keys["NOTIFY_VAPID_PRIVATE_KEY"]
    settings.NOTIFY_VAPID_PUBLIC_KEY = vapid_keys["NOTIFY_VAPID_PUBLIC_KEY"]
    settings.NOTIFY_VAPID_SUBJECT = "mailto:mairie@example.org"
    settings.NOTIFY_PUSH_ALLOW_HTTP = True
    service = push_service_start()
    yield service
    service.shutdown()


def _subscribe(client, commune, subscription, alerts="urgent"):
    response = client.post("/abonnement/push/", json.dumps({
        "subscription": subscription, "communes": [commune.insee_code], "alerts": alerts}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    return response


@pytest.mark.django_db
def test_an_urgent_alert_is_pushed_encrypted_and_signed(client, commune, push_service):
    _subscribe(client, commune, push_service.subscription("phone"))
    alert = publish(make_alert(commune, severity=3, title="Évacuation quai nord",
                               message="<p>Rejoignez la salle des fêtes.</p>"))
    worker_pass(NOTIFY)
    assert push_service.rejected == []
    [push] = push_service.messages()
    assert push.name == "phone"
    assert push.payload["title"] == "Évacuation quai nord"
    assert "Rejoignez la salle des fêtes." in push.payload["body"]
    assert push.payload["url"] == alert.full_url  # the notification opens the item
    assert push.claims["sub"] == "mailto:mairie@example.org"
    assert push.headers["urgency"] == "high"
    worker_pass(NOTIFY)
    publish(alert)
    worker_pass(NOTIFY)
    assert len(push_service.messages()) == 1  # once
    assert Delivery.objects.get(channel="push").state == "sent"


@pytest.mark.django_db
def test_a_subscription_the_push_service_says_is_gone_is_removed(client, commune,
                                                                 push_service):
    _subscribe(client, commune, push_service.subscription("old-phone"))
    push_service.gone.add("old-phone")
    publish(make_alert(commune, severity=3))
    worker_pass(NOTIFY)
    assert push_service.messages() == []
    assert not PushSubscription.objects.exists()
    assert not Subscriber.objects.exists()  # nothing left to reach them with
    assert Delivery.objects.filter(channel="push").count() == 0


@pytest.mark.django_db
def test_a_warning_is_pushed_only_to_those_who_want_every_alert(client, commune,
                                                                push_service):
    _subscribe(client, commune, push_service.subscription("urgent-only"))
    _subscribe(client, commune, push_service.subscription("everything"), alerts="all")
    publish(make_alert(commune, severity=2, title="Vigilance vent"))
    worker_pass(NOTIFY)
    from notify.delivery import deliveries_send

    deliveries_send()  # non-urgent pushes go with the delivery job, not the fan-out
    assert [push.name for push in push_service.messages()] == ["everything"]


@pytest.mark.django_db
def test_a_push_service_error_is_retried_later(client, commune, push_service):
    subscription = push_service.subscription("flaky")
    _subscribe(client, commune, subscription)
    push_service.keys["flaky"] = (push_service.keys["flaky"][0], b"0" * 16)  # cannot decrypt: 400
    publish(make_alert(commune, severity=3))
    worker_pass(NOTIFY)
    delivery = Delivery.objects.get(channel="push")
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at is not None and "400" in delivery.last_error
    assert PushSubscription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:{port}/push/phone",  # a loopback endpoint once tests stop allowing it
    "https://{hostname}:{port}/push/phone",  # a name that resolves to this machine
])
def test_the_worker_never_posts_to_the_servers_own_network(client, commune, push_service,
                                                           settings, endpoint):
    _subscribe(client, commune, push_service.subscription("phone"))
    port, hostname = push_service.sock.getsockname()[1], socket.gethostname()
    if "{hostname}" in endpoint and all(address_is_public(info[4][0])
                                        for info in socket.getaddrinfo(hostname, port)):
        pytest.skip(f"this machine's name {hostname} resolves to no private address")
    PushSubscription.objects.update(endpoint=endpoint.format(port=port, hostname=hostname))
    settings.NOTIFY_PUSH_ALLOW_HTTP = False
    publish(make_alert(commune, severity=3))
    worker_pass(NOTIFY)
    assert push_service.messages() == [] and push_service.rejected == []
    assert Delivery.objects.filter(channel="push", state="sent").count() == 0
    if endpoint.startswith("http:"):
        assert not PushSubscription.objects.exists()  # refused outright: dropped
    else:
        delivery = Delivery.objects.get(channel="push")  # resolved at connect time: retried
        assert "no public address" in delivery.last_error, delivery.last_error

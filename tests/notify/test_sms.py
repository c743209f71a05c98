"""SMS through OVHcloud's HTTP API, against a local server that checks requests as the
API documents (tests/notify/ovh_server.py): double opt-in by code, urgent alerts only,
one API call per text, a monthly cap per commune."""

import re

import pytest
from django.utils import timezone

from cms.publishing.models import OutboxMessage
from notify import tokens
from notify.channels.sms import sms_sent_this_month
from notify.fanout import NOTIFY
from notify.models import Delivery, Subscriber
from notify.services import CONFIRM
from tests.factories import make_alert, publish, worker_pass

from .conftest import subscriber
from .ovh_server import ovh_server_start


@pytest.fixture
def ovh(settings):
    server = ovh_server_start()
    settings.NOTIFY_SMS_PROVIDER = "ovh"
    settings.NOTIFY_SMS_OVH = server.settings()
    yield server
    server.server.shutdown()


def _texter(commune, phone, **fields):
    fields.setdefault("phone_confirmed_at", timezone.now())
    return subscriber(commune, email="", phone=phone, **fields)


@pytest.mark.django_db
def test_a_number_is_confirmed_by_the_code_it_receives(client, commune, ovh):
    row = subscriber(commune)
    url = f"/abonnement/gerer/{tokens.manage_token(row)}/sms/"
    assert client.post(url, {"phone": "06 12 34 56 78"}).status_code == 302
    assert ovh.jobs == []  # the worker texts the code, not the request
    worker_pass(CONFIRM)
    worker_pass(CONFIRM)  # sent once
    [job] = ovh.jobs
    assert job["receivers"] == ["+33612345678"]
    code = re.search(r"\d{6}", job["message"]).group()
    wrong = "000000" if code != "000000" else "111111"
    assert client.post(url, {"code": wrong}).status_code == 400
    row.refresh_from_db()
    assert row.phone_confirmed_at is None
    assert client.post(url, {"code": code}).status_code == 302
    row.refresh_from_db()
    assert row.phone == "+33612345678" and row.phone_confirmed_at is not None
    assert ovh.rejected == []  # every request was signed as OVH checks it
    # The code is not kept in clear once sent.
    assert code not in str(list(OutboxMessage.objects.values_list("payload", flat=True)))


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["12345", "01 23 45 67 89", "+44 7700 900123", "06" * 20])
def test_a_number_that_is_not_a_french_mobile_is_refused(client, commune, ovh, phone):
    row = subscriber(commune)
    response = client.post(f"/abonnement/gerer/{tokens.manage_token(row)}/sms/",
                           {"phone": phone})
    assert response.status_code == 400
    worker_pass(CONFIRM)
    assert ovh.jobs == []
    assert Subscriber.objects.get(pk=row.pk).phone == ""


@pytest.mark.django_db
def test_an_urgent_alert_goes_out_in_one_call_and_a_warning_not_at_all(commune, ovh):
    for n in range(3):
        _texter(commune, f"+3361234567{n}", alerts="all")
    _texter(commune, "+33700000000", phone_confirmed_at=None)  # never confirmed
    publish(make_alert(commune, severity=2, title="Vigilance"))
    publish(make_alert(commune, severity=3, title="Inondation"))
    worker_pass(NOTIFY)
    [job] = ovh.jobs
    assert sorted(job["receivers"]) == [f"+3361234567{n}" for n in range(3)]
    assert "Inondation" in job["message"] and job["sender"] == "MAIRIE"
    assert sms_sent_this_month(commune_id=commune.pk) == 3


@pytest.mark.django_db
def test_the_monthly_cap_of_a_commune_holds(commune, ovh, settings):
    settings.NOTIFY_SMS_MONTHLY_CAP = 2
    _texter(commune, "+33611111111")
    _texter(commune, "+33622222222")
    publish(make_alert(commune, severity=3, title="Première"))
    worker_pass(NOTIFY)
    publish(make_alert(commune, severity=3, title="Seconde"))
    worker_pass(NOTIFY)
    assert len(ovh.jobs) == 1 and sms_sent_this_month(commune_id=commune.pk) == 2
    capped = Delivery.objects.filter(channel="sms", state="failed")
    assert capped.count() == 2
    assert {d.last_error for d in capped} == {"monthly SMS cap reached"}


@pytest.mark.django_db
def test_a_refused_number_fails_and_an_outage_is_retried(commune, ovh):
    _texter(commune, "+33611111111")
    _texter(commune, "+33622222222")
    ovh.invalid.add("+33622222222")
    ovh.down = True
    publish(make_alert(commune, severity=3))
    worker_pass(NOTIFY)
    assert set(Delivery.objects.values_list("state", "attempts")) == {("pending", 1)}
    assert sms_sent_this_month(commune_id=commune.pk) == 0  # the budget was given back
    ovh.down = False
    from notify.delivery import deliveries_send

    Delivery.objects.update(next_attempt_at=None)
    deliveries_send()
    states = dict(Delivery.objects.values_list("subscriber__phone", "state"))
    assert states == {"+33611111111": "sent", "+33622222222": "failed"}
    assert sms_sent_this_month(commune_id=commune.pk) == 1

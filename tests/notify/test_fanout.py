"""The pipeline's consumer: publishing an alert enqueues its notifications in the same
transaction; the worker tells each subscriber once, the latest version, nothing once
withdrawn; a neighbour's alert reaches its subscribers through the sharing rules.

E-mail goes to Django's in-memory outbox here (tests/notify/test_email_smtp.py sends
through a real SMTP server)."""

import pytest
from django.core import mail
from django.db import transaction

from cms.publishing.models import OutboxMessage
from notify.delivery import deliveries_send
from notify.fanout import NOTIFY, rows_fan_out
from notify.models import Delivery
from tests.factories import make_alert, make_news, publish, worker_pass
from tests.federation.conftest import sharing_policy

from .conftest import subscriber

URGENT, WARNING = 3, 2


def _notify_rows():
    return OutboxMessage.objects.filter(category=NOTIFY)


@pytest.mark.django_db
def test_publishing_enqueues_in_the_same_transaction_and_a_rollback_nothing(commune):
    subscriber(commune)
    alert = make_alert(commune, severity=URGENT, live=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(alert)
        assert _notify_rows().filter(object_id=alert.pk).exists()
        raise RuntimeError("the publish fails after the pipeline ran")
    assert not _notify_rows().exists()
    publish(alert)
    assert _notify_rows().filter(object_id=alert.pk, state="pending").exists()
    assert not mail.outbox  # nothing is sent inside the publishing transaction


@pytest.mark.django_db
def test_an_urgent_alert_reaches_each_subscriber_once(commune, neighbour_commune):
    mine = subscriber(commune)
    subscriber(commune, email="pas-confirme@example.org", confirmed=False)
    subscriber(neighbour_commune, email="voisin@example.org")  # chose only Montoir
    subscriber(commune, email="nouvelles@example.org", alerts="none", news=True)
    alert = publish(make_alert(commune, severity=URGENT, title="Tempête"))
    worker_pass(NOTIFY)
    assert [message.to for message in mail.outbox] == [[mine.email]]
    assert "Tempête" in mail.outbox[0].subject
    # Republished, re-run, the delivery job's pass: nothing goes twice.
    publish(alert)
    worker_pass(NOTIFY)
    rows_fan_out(list(OutboxMessage.objects.filter(category=NOTIFY, object_id=alert.pk)))
    deliveries_send()
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().state == "sent"


@pytest.mark.django_db
def test_an_alert_updated_before_delivery_goes_out_in_its_latest_version(commune):
    subscriber(commune)
    alert = publish(make_alert(commune, severity=URGENT, title="Route fermée"))
    alert.title = "Route fermée jusqu'à 18 h"
    publish(alert)
    worker_pass(NOTIFY)
    [message] = mail.outbox
    assert "Route fermée jusqu'à 18 h" in message.subject


@pytest.mark.django_db
def test_an_alert_withdrawn_before_delivery_sends_nothing(commune):
    subscriber(commune)
    alert = publish(make_alert(commune, severity=URGENT))
    alert.unpublish()
    worker_pass(NOTIFY)
    deliveries_send()
    assert not mail.outbox


@pytest.mark.django_db
def test_a_delivery_withdrawn_after_fan_out_is_cancelled(commune, settings):
    subscriber(commune)
    # The fan-out ran but the send failed (the mail server down): the row waits.
    settings.EMAIL_BACKEND = "tests.notify.backends.RefusingBackend"
    alert = publish(make_alert(commune, severity=URGENT))
    worker_pass(NOTIFY)
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alert.unpublish()
    Delivery.objects.update(next_attempt_at=None)
    deliveries_send()
    assert not mail.outbox
    assert Delivery.objects.get().state == "cancelled"


@pytest.mark.django_db
def test_a_neighbours_alert_reaches_those_who_chose_it_through_the_sharing_rules(
        commune, neighbour_commune):
    voisin = subscriber(neighbour_commune, email="voisin@example.org")
    # Donges shares its alerts; Montoir accepts what its neighbours share.
    sharing_policy(commune, kinds=("alert",))
    sharing_policy(neighbour_commune, kinds=(), default_acceptance="accept")
    publish(make_alert(commune, severity=URGENT, title="Nuage toxique"))
    worker_pass(NOTIFY)
    assert [message.to for message in mail.outbox] == [[voisin.email]]


@pytest.mark.django_db
def test_a_neighbours_alert_held_for_review_reaches_nobody_there(commune, neighbour_commune):
    subscriber(neighbour_commune, email="voisin@example.org")
    sharing_policy(commune, kinds=("alert",))
    sharing_policy(neighbour_commune, kinds=(), default_acceptance="review")
    publish(make_alert(commune, severity=URGENT))
    worker_pass(NOTIFY)
    assert not mail.outbox


@pytest.mark.django_db
def test_what_each_subscriber_chose_decides_the_channel_and_the_moment(commune):
    urgent_only = subscriber(commune, email="urgent@example.org")
    everything = subscriber(commune, email="tout@example.org", alerts="all", news=True)
    by_category = subscriber(commune, email="sport@example.org", alerts="all", news=True,
                             categories=["sport"])
    publish(make_alert(commune, severity=WARNING, title="Vigilance orange"))
    publish(make_news(commune, title="Kermesse"))
    worker_pass(NOTIFY)
    assert not mail.outbox  # neither is urgent: both wait for the digest
    waiting = set(Delivery.objects.values_list("subscriber__email", "kind", "state"))
    assert waiting == {(everything.email, "alert", "digest"),
                       (everything.email, "news", "digest")}
    assert not Delivery.objects.filter(subscriber__in=[urgent_only, by_category]).exists()


@pytest.mark.django_db
def test_an_alert_going_live_at_its_time_is_sent_then(commune):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    subscriber(commune)
    alert = make_alert(commune, severity=URGENT, title="Fermeture du pont", live=False)
    alert.go_live_at = timezone.now() + dt.timedelta(hours=1)
    revision = alert.save_revision()
    revision.publish()
    worker_pass(NOTIFY)
    assert not mail.outbox  # scheduled, not live
    past = timezone.now() - dt.timedelta(minutes=1)
    revision.refresh_from_db()
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")  # what the worker's publishing.scheduled job runs
    worker_pass(NOTIFY)
    assert [m.subject for m in mail.outbox] == ["Alerte urgente : Fermeture du pont"]


@pytest.mark.django_db
def test_a_worker_dying_after_its_claim_delays_the_send_and_loses_nothing(commune):
    from django.utils import timezone

    from notify.delivery import _claim

    subscriber(commune)
    publish(make_alert(commune, severity=URGENT))
    with pytest.MonkeyPatch.context() as patch:
        # The fan-out's own send dies with the worker: only the Delivery rows remain.
        patch.setattr("notify.delivery.deliveries_send", lambda **kwargs: None)
        worker_pass(NOTIFY)
    assert Delivery.objects.get().state == "pending"
    [claimed] = _claim(channel="email", now=timezone.now(), keys=None, size=10)
    deliveries_send()  # another worker: the row is leased to the dead one
    assert not mail.outbox
    Delivery.objects.update(next_attempt_at=timezone.now())  # the lease runs out
    deliveries_send()
    deliveries_send()
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().state == "sent"


@pytest.mark.django_db
def test_a_neighbours_alert_accepted_after_it_was_published_reaches_them_once(
        commune, neighbour_commune):
    from federation.models import SharedItem
    from federation.sharing import share_decide

    mine = subscriber(commune)
    voisin = subscriber(neighbour_commune, email="voisin@example.org")
    both = subscriber(commune, neighbour_commune, email="les-deux@example.org")
    sharing_policy(commune, kinds=("alert",))
    sharing_policy(neighbour_commune, kinds=(), default_acceptance="review")
    alert = publish(make_alert(commune, severity=URGENT, title="Nuage toxique"))
    worker_pass(NOTIFY)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([mine.email, both.email])
    mail.outbox.clear()
    share = SharedItem.objects.get(page=alert, receiver=neighbour_commune)
    share_decide(share=share, action="accept", user=None)
    worker_pass(NOTIFY)
    # Montoir's subscriber is told now; whoever was told already is not told again.
    assert [message.to for message in mail.outbox] == [[voisin.email]]
    share_decide(share=share, action="feature", user=None)
    worker_pass(NOTIFY)
    deliveries_send()
    assert len(mail.outbox) == 1


def _fan_out_peak(commune, count: int, title: str) -> int:
    """Peak Python memory of the fan-out of an urgent alert to `count` more subscribers."""
    import tracemalloc

    from django.utils import timezone

    from notify.models import Subscriber

    rows = Subscriber.objects.bulk_create([
        Subscriber(email=f"{title}{n}@example.org", email_confirmed_at=timezone.now())
        for n in range(count)])
    Subscriber.communes.through.objects.bulk_create([
        Subscriber.communes.through(subscriber_id=row.pk, communehomepage_id=commune.pk)
        for row in rows])
    alert = publish(make_alert(commune, severity=URGENT, title=title))
    outbox = list(_notify_rows().filter(object_id=alert.pk))
    tracemalloc.start()
    rows_fan_out(outbox)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.django_db
def test_the_fan_out_memory_does_not_grow_with_the_audience(commune, monkeypatch):
    # Urgent sends happen after the fan-out; they are measured by bench-notify.
    monkeypatch.setattr("notify.delivery.deliveries_send", lambda **kwargs: None)
    monkeypatch.setattr("notify.fanout.BULK_SIZE", 100)
    small = _fan_out_peak(commune, 300, "petit")
    large = _fan_out_peak(commune, 3000, "grand")  # 3,300 subscribers now
    assert Delivery.objects.count() == 300 + 3300
    assert large < 2 * small, (small, large)

"""Two workers never send the same delivery (row locks on PostgreSQL, lease everywhere)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from federation.activitypub import delivery as delivery_module
from federation.models import Delivery, OutboxActivity

# serialized_rollback: a transactional test starts from flushed tables, and the locales
# that migrations create would be gone (the commune fixture needs them).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent claims need a server database (DATABASE_URL=postgres://…)")
def test_concurrent_claims_are_disjoint(ap_commune):
    activity = OutboxActivity.objects.create(commune=ap_commune, ap_id="http://testserver/a/1",
                                             activity={"type": "Create"})
    deadline = timezone.now() + timezone.timedelta(days=3)
    Delivery.objects.bulk_create([
        Delivery(activity=activity, inbox=f"https://peer{i}.example/inbox",
                 host=f"peer{i}.example", deadline=deadline) for i in range(400)])
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        mine = []
        while batch := delivery_module.deliveries_claim(limit=25):
            mine.extend(d.pk for d in batch)
        claimed.append(mine)
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [pk for mine in claimed for pk in mine]
    assert len(everything) == 400
    assert len(set(everything)) == 400

"""The change feed's writes: record events with their audience, number them after
commit (one serialized step), prune them past the retention."""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cms.communes.models import CommuneHomePage
from cms.core.locales import default_locale

from . import microcache
from .models import Change, ChangeAudience, ChangeSequence


def _shared_with(payload: dict | None) -> set[str]:
    return set((payload or {}).get("shared_with") or ())


_changes_recorded: list[Callable[[], None]] = []


def changes_recorded_notify(callback: Callable[[], None]) -> None:
    """Call `callback()` in the transaction of every batch of recorded changes."""
    _changes_recorded.append(callback)


def changes_record(entries: list[tuple[Change, dict | None]],
                   commune_ids: dict[str, int] | None = None) -> None:
    """Record unsaved changes, each with the item's previous payload (None if new), so
    that the communes an item is shared into, or has just left, find the change in a
    feed filtered on them (`ChangeAudience`). `commune_ids`: INSEE code -> id of local
    communes the caller already knows."""
    changes = Change.objects.bulk_create([change for change, _before in entries])
    codes = {insee for change, before in entries
             for insee in _shared_with(change.payload) | _shared_with(before)}
    ids = {code: commune_id for code, commune_id in (commune_ids or {}).items()
           if code in codes}
    if codes - set(ids):
        ids.update(CommuneHomePage.objects.filter(
            locale=default_locale(), origin_server="", insee_code__in=codes - set(ids),
        ).values_list("insee_code", "pk"))
    ChangeAudience.objects.bulk_create(
        ChangeAudience(change=change, commune_id=ids[insee],
                       present=insee in _shared_with(change.payload))
        for change, (_unsaved, before) in zip(changes, entries, strict=True)
        for insee in sorted(_shared_with(change.payload) | _shared_with(before))
        if insee in ids)
    # Numbered after commit by one serialized step: the publishing layer, above, asks
    # for it (its "changes" outbox row, drained on commit and by the worker); see
    # models/changes.py.
    for callback in _changes_recorded:
        callback()
    # This process must not serve what it just replaced; again after commit, in case a
    # read in between cached the old row. Other processes: microcache.py's bound.
    microcache.clear()
    transaction.on_commit(microcache.clear)


def change_record(*, item_id: int, kind: str, locale: str, commune_id: int | None,
                   action: str, payload: dict | None, before: dict | None = None) -> None:
    changes_record([(Change(item_id=item_id, kind=kind, locale=locale, commune_id=commune_id,
                            action=action, payload=payload), before)])


def _sequence_row(*, lock: bool) -> ChangeSequence:
    row, _created = ChangeSequence.objects.get_or_create(pk=1)
    if lock:
        # PostgreSQL: one numbering step at a time. SQLite serialises writers already.
        row = ChangeSequence.objects.select_for_update().get(pk=1)
    return row


def changes_assign_sequence() -> int:
    """Number committed, unnumbered changes in id order; return how many were numbered.

    Serialized by a lock on the counter row, so two numbering steps never interleave
    and every number handed out is larger than any a reader has seen.
    """
    if not Change.objects.filter(seq__isnull=True).exists():
        return 0
    with transaction.atomic():
        counter = _sequence_row(lock=True)
        pending = list(Change.objects.filter(seq__isnull=True).order_by("pk").only("pk"))
        for change in pending:
            counter.last_seq += 1
            change.seq = counter.last_seq
        Change.objects.bulk_update(pending, ["seq"], batch_size=500)
        counter.save(update_fields=["last_seq"])
    return len(pending)


def changes_prune(*, older_than: dt.timedelta) -> int:
    """Delete numbered changes older than the retention; cursors before them expire."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        counter = _sequence_row(lock=True)
        doomed = Change.objects.filter(seq__isnull=False, created_at__lt=cutoff)
        last = doomed.order_by("-seq").values_list("seq", flat=True).first()
        if last is None:
            return 0
        deleted, _by_model = Change.objects.filter(seq__lte=last).delete()
        counter.pruned_through = max(counter.pruned_through, last)
        counter.save(update_fields=["pruned_through"])
    return deleted


def changes_generation_bump() -> None:
    """Start a new generation of the feed (after a rebuild of the read model): cursors
    of the old one get a 410 telling partners to resynchronise."""
    _sequence_row(lock=False)
    ChangeSequence.objects.filter(pk=1).update(generation=F("generation") + 1)

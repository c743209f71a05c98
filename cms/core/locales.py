"""The default (source) locale, read once per process instead of once per call.

Wagtail's `Locale.get_default()` runs a query each time; publishing a page asked for
it five times. Saving or deleting a locale forgets the cached one.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Locale

_cache: dict = {}


def default_locale() -> Locale:
    try:
        return _cache["default"]
    except KeyError:
        _cache["default"] = locale = Locale.get_default()
        return locale


def locale_code(locale_id: int) -> str:
    """The language code of a locale id (every locale read once per process)."""
    codes = _cache.get("codes")
    if codes is None or locale_id not in codes:
        _cache["codes"] = codes = dict(Locale.objects.values_list("pk", "language_code"))
    return codes.get(locale_id, "")


def _forget(sender, **kwargs) -> None:
    _cache.clear()


post_save.connect(_forget, sender=Locale, dispatch_uid="clocher_default_locale_saved")
post_delete.connect(_forget, sender=Locale, dispatch_uid="clocher_default_locale_deleted")

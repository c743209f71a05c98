"""Event date buckets, and the French date phrases that ask for one."""

import datetime as dt
import re
import zoneinfo

from django.conf import settings

DATE_BUCKETS = {"today": "Aujourd'hui", "weekend": "Ce week-end", "week": "Cette semaine",
                "month": "Ce mois-ci"}


def date_buckets(*, now: dt.datetime) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Event date buckets in the site's time zone: [start, end)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = midnight + dt.timedelta(days=1)
    weekday = local.weekday()  # Saturday 5, Sunday 6
    saturday = midnight + dt.timedelta(days=(5 - weekday) if weekday <= 5 else -1)
    weekend_start = max(saturday, now) if weekday >= 5 else saturday
    monday = saturday + dt.timedelta(days=2)
    return {
        "today": (now, tomorrow),
        "weekend": (weekend_start, monday),
        "week": (now, midnight + dt.timedelta(days=8)),
        "month": (now, midnight + dt.timedelta(days=31)),
    }


_DATE_INTENTS = [
    (re.compile(r"\b(ce|cette)\s+(week-?end|we)\b", re.IGNORECASE), "weekend"),
    (re.compile(r"\b(samedi|dimanche)\s+prochain\b", re.IGNORECASE), "weekend"),
    (re.compile(r"\b(aujourd'?hui|aujourd’hui|ce\s+soir)\b", re.IGNORECASE), "today"),
    (re.compile(r"\bcette\s+semaine\b", re.IGNORECASE), "week"),
    (re.compile(r"\bce\s+mois(-ci)?\b", re.IGNORECASE), "month"),
]
# Words that only say "something to do" once a date intent is found.
_OUTING_WORDS = re.compile(r"\b(que|quoi)\s+faire\b|\bsortir\b|\bsorties?\b",
                           re.IGNORECASE)


def date_intent(text: str) -> tuple[str, str | None]:
    """("vide-grenier ce week-end") → ("vide-grenier", "weekend"): a French date
    phrase becomes the event date filter."""
    for pattern, bucket in _DATE_INTENTS:
        if pattern.search(text):
            rest = _OUTING_WORDS.sub(" ", pattern.sub(" ", text))
            return " ".join(rest.split()), bucket
    return text, None

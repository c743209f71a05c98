"""Links that add an event to the common calendar services, built on the server.

Each service reads a documented query string; nothing of theirs is loaded on the page.
"""

import datetime as dt
from urllib.parse import quote, urlencode

from django.utils import timezone

UTC = dt.UTC


def _utc(value: dt.datetime) -> dt.datetime:
    return (value if timezone.is_aware(value) else timezone.make_aware(value)).astimezone(UTC)


def calendar_links(*, title: str, start: dt.datetime, end: dt.datetime | None,
                   all_day: bool, place: str, details: str, url: str) -> list[dict]:
    """Google, Outlook and Yahoo links for one event (name, href)."""
    end = end or start + dt.timedelta(hours=2)
    text = f"{details}\n\n{url}".strip()
    if all_day:
        first = timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
        last = (timezone.localtime(end).date() if timezone.is_aware(end) else end.date())
        after = last + dt.timedelta(days=1)
        google_dates = f"{first:%Y%m%d}/{after:%Y%m%d}"
        outlook_start, outlook_end = first.isoformat(), after.isoformat()
        yahoo = {"st": f"{first:%Y%m%d}", "et": f"{last:%Y%m%d}", "dur": "allday"}
    else:
        begin, finish = _utc(start), _utc(end)
        google_dates = f"{begin:%Y%m%dT%H%M%SZ}/{finish:%Y%m%dT%H%M%SZ}"
        outlook_start, outlook_end = (f"{begin:%Y-%m-%dT%H:%M:%SZ}",
                                      f"{finish:%Y-%m-%dT%H:%M:%SZ}")
        yahoo = {"st": f"{begin:%Y%m%dT%H%M%SZ}", "et": f"{finish:%Y%m%dT%H%M%SZ}"}
    google = "https://calendar.google.com/calendar/render?" + urlencode({
        "action": "TEMPLATE", "text": title, "dates": google_dates, "location": place,
        "details": text})
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode({
        "path": "/calendar/action/compose", "rru": "addevent", "subject": title,
        "startdt": outlook_start, "enddt": outlook_end, "allday": str(all_day).lower(),
        "location": place, "body": text})
    yahoo_link = "https://calendar.yahoo.com/?" + urlencode({
        "v": "60", "title": title, **yahoo, "in_loc": place, "desc": text})
    return [{"name": "Google Agenda", "href": google},
            {"name": "Outlook", "href": outlook},
            {"name": "Yahoo Agenda", "href": yahoo_link}]


def share_links(*, title: str, url: str, subject: str) -> list[dict]:
    """Plain sharing links (no script): e-mail, Facebook, WhatsApp, Mastodon-less copy."""
    return [
        {"name": "E-mail", "href": "mailto:?" + urlencode({"subject": subject,
                                                          "body": f"{title}\n{url}"},
                                                         quote_via=_quote)},
        {"name": "Facebook", "href": "https://www.facebook.com/sharer/sharer.php?"
         + urlencode({"u": url})},
        {"name": "WhatsApp", "href": "https://wa.me/?" + urlencode({"text": f"{title} {url}"})},
        {"name": "SMS", "href": "sms:?" + urlencode({"body": f"{title} {url}"},
                                                    quote_via=_quote)},
    ]


def _quote(value, safe="", encoding=None, errors=None):
    return quote(value, safe=safe, encoding=encoding, errors=errors)

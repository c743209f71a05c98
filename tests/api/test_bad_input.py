"""Every invalid parameter is a 400 naming it, in one JSON shape; never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_event, soon

pytestmark = pytest.mark.django_db
# A day ahead of today: the cases are about the shape and order of dates, not the calendar.
DAY = timezone.localdate() + dt.timedelta(days=30)

CASES = [
    ("/api/events", {"commune": "99999"}, "commune"),
    ("/api/events", {"commune": "donges,nowhere"}, "commune"),
    ("/api/events", {"around": "nowhere"}, "around"),
    ("/api/events", {"around": "44052", "radius_km": "500"}, "radius_km"),
    ("/api/events", {"around": "44052", "radius_km": "-1"}, "radius_km"),
    ("/api/events", {"around": "44052", "radius_km": "abc"}, "radius_km"),
    ("/api/events", {"around": "44052", "radius_km": "NaN"}, "radius_km"),
    ("/api/events", {"radius_km": "5"}, "radius_km"),
    ("/api/events", {"epci": "123"}, "epci"),
    ("/api/events", {"epci": "999999999"}, "epci"),
    ("/api/events", {"department": "ZZ"}, "department"),
    ("/api/events", {"department": "99"}, "department"),
    ("/api/events", {"category": "no-such-thing"}, "category"),
    ("/api/events", {"locale": "xx"}, "locale"),
    ("/api/events", {"start_after": f"{DAY:%Y}-13-45"}, "start_after"),
    ("/api/events", {"start_after": "tomorrow"}, "start_after"),
    ("/api/events", {"start_after": (DAY + dt.timedelta(days=1)).isoformat(),
                     "start_before": DAY.isoformat()}, "start_before"),
    ("/api/news", {"updated_since": "yesterday"}, "updated_since"),
    ("/api/events", {"bbox": "1,2,3"}, "bbox"),
    ("/api/events", {"bbox": "3,2,1,4"}, "bbox"),
    ("/api/events", {"bbox": "a,b,c,d"}, "bbox"),
    ("/api/events", {"lat": "47.3"}, "lon"),
    ("/api/events", {"lat": "95", "lon": "0", "radius_km": "1"}, "lat"),
    ("/api/events", {"lat": "47", "lon": "-2", "radius_km": "1", "around": "44052"}, "lat"),
    ("/api/events", {"cursor": "garbage"}, "cursor"),
    ("/api/events", {"page_size": "101"}, "page_size"),
    ("/api/events", {"page_size": "0"}, "page_size"),
    ("/api/events", {"page_size": "ten"}, "page_size"),
    ("/api/events", {"sort": "title"}, "sort"),
    ("/api/events", {"format": "xml"}, "format"),
    ("/api/news", {"start_after": DAY.isoformat()}, "start_after"),  # events only
    ("/api/alerts", {"severity": "apocalyptic"}, "severity"),
    ("/api/alerts", {"active": "maybe"}, "active"),
    ("/api/info", {"topic": "weather"}, "topic"),
    ("/api/directory", {"directory_kind": "castle"}, "directory_kind"),
    ("/api/communes", {"department": "x"}, "department"),
    ("/api/communes", {"q": "donges"}, "q"),
    ("/api/communes/44052", {"expand": "all"}, "expand"),
    ("/api/communes/44052/neighbours", {"radius_km": "1000"}, "radius_km"),
    ("/api/changes", {"cursor": "x"}, "cursor"),
    ("/api/changes", {"kind": "poem"}, "kind"),
    ("/api/changes", {"commune": "atlantis"}, "commune"),
]


@pytest.mark.parametrize(("path", "query", "param"), CASES)
def test_invalid_parameter_is_a_400_naming_it(client, commune, path, query, param):
    response = client.get(path, query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == 400 and body["code"] == "invalid_parameters"
    assert param in body["errors"], body
    assert all(isinstance(message, str) for message in body["errors"][param])


def test_cursor_of_another_endpoint_is_rejected(client, commune):
    for index in range(3):
        make_event(commune, title=f"E{index}", start=soon(index + 1))
    cursor = client.get("/api/events", {"page_size": 1}).json()["next_cursor"]
    response = client.get("/api/news", {"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()["errors"]


def test_unsupported_method_is_json(client, commune):
    response = client.post("/api/events", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"

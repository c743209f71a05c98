"""Every payload of the XSS corpus through each inbound channel, up to what would be
stored and what the API would show: one case per payload, kind and shape, no database.

The stored pages and the rendered surfaces (site, admin, API, feeds) are checked with
all payloads at once in test_xss_surfaces.py, and in Chromium in
tests/browser/test_xss_rendering.py.
"""

from __future__ import annotations

import types

import pytest
from django.db.models import TextField
from django.utils import timezone
from wagtail.fields import StreamField

from cms.content.inbound import page_text_sanitise
from cms.content.kinds import kinds
from cms.core import sanitise
from federation.activitypub import wire
from federation.activitypub.mirror import _fill
from frontend.models import Contribution
from frontend.services import _page_build

from .xss import PAYLOADS, api_html_values, html_values, policy_violations

REMOTE = types.SimpleNamespace(domain="peer.example", url="https://peer.example/actor")


def unsaved(model):
    """A page never saved (ids given, so that building it reads no database)."""
    return model(locale_id=1, content_type_id=1)


def ap_object(kind, payload: str, *, with_content: bool) -> dict:
    """A remote object of the kind with the payload in every text field it may carry."""
    data = {"id": "https://peer.example/objects/1", "type": kind.ap_type,
            "clocherKind": kind.name, "attributedTo": REMOTE.url,
            "name": payload, "summary": payload,
            "published": timezone.now().isoformat(), "startTime": timezone.now().isoformat(),
            "location": {"type": "Place", "name": payload,
                         "address": {"streetAddress": payload, "addressLocality": payload}},
            "telephone": payload, "email": payload, "openingHours": payload}
    if with_content:
        data["content"] = payload
    return data


@pytest.mark.parametrize("payload", PAYLOADS)
def test_activitypub_fields_stored_and_served_clean(payload):
    """The payload in every field of an object of each kind, with and without content
    (without, a summary is what becomes an alert's message or a directory description)."""
    for kind in kinds():
        for with_content in (True, False):
            obj = wire.parse_object(ap_object(kind, payload, with_content=with_content))
            page = unsaved(kind.model)
            _fill(page, obj, kind=kind.name, remote_actor=REMOTE)
            values = {**html_values(page, kind), **api_html_values(page, kind)}
            for field, value in values.items():
                assert policy_violations(value) == [], (kind.name, field, value)
            # Plain fields are plain: one line where the model's field is one line.
            for name, text_type in kind.text_fields.items():
                model_field = page._meta.get_field(name)
                if text_type == sanitise.PLAIN and not isinstance(
                        model_field, TextField | StreamField):
                    assert "\n" not in getattr(page, name), (kind.name, name)
            assert "\n" not in page.title and "\r" not in page.title


# _page_build makes real page instances: their content type is read once, then cached.
@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_proposal_fields_stored_clean(payload):
    for kind in Contribution.Kind.values:
        data = {"kind": kind, "title": f"Titre\r\n{payload}", "text": f"{payload}\n{payload}",
                "start": timezone.now(), "end": None, "venue_name": payload,
                "address": payload, "directory_kind": "association", "phone": "",
                "website": "", "name": payload}
        page = _page_build(data=data, image=None)
        page_text_sanitise(page=page)
        page_kind = next(item for item in kinds() if isinstance(page, item.model))
        for field, value in {**html_values(page, page_kind),
                             **api_html_values(page, page_kind)}.items():
            assert policy_violations(value) == [], (kind, field, value)
        assert "\n" not in page.title and "\r" not in page.title

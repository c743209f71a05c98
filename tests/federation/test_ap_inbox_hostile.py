"""Hostile bodies on every inbox, and hostile documents where a signing key is fetched.

Whatever the body, the answer is a 4xx with a JSON body, never a 500, and nothing is
stored. Every body is signed for real by a known actor of the fake peer, so a body that
got past the limits would be accepted (202), not refused for its signature.
"""

import datetime as dt
import functools
import json

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from federation.activitypub.signatures import generate_key_pair
from federation.models import InboxMessage, RemoteActor
from tests.federation.e2e.fixtures import BASE, post_signed
from tests.federation.e2e.peer import RemoteTestActor

INBOXES = ["/ap/inbox", "/ap/communes/donges/inbox"]


def max_depth() -> int:
    return getattr(django_settings, "FEDERATION_JSON_MAX_DEPTH", 32)


def follow(actor_url: str) -> dict:
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor_url}#follows/1", "type": "Follow", "actor": actor_url,
            "object": f"{BASE}/ap/communes/donges"}


def create(actor_url: str, **fields) -> dict:
    now = timezone.now().replace(microsecond=0)
    event = {"id": f"{actor_url}/events/1", "type": "Event", "attributedTo": actor_url,
             "name": "Fête", "summary": "Samedi", "content": "<p>Concert</p>",
             "published": now.isoformat(),
             "startTime": (now + dt.timedelta(days=1)).isoformat(),
             "url": f"{actor_url}/events/1", **fields}
    return {"id": f"{actor_url}/activities/1", "type": "Create", "actor": actor_url,
            "object": event, "to": ["https://www.w3.org/ns/activitystreams#Public"]}


def dumps(value) -> bytes:
    return json.dumps(value).encode()


def with_field(actor_url: str, raw: bytes) -> bytes:
    """A valid Follow with `raw` (a JSON fragment) appended as one more member."""
    return dumps(follow(actor_url))[:-1] + b", " + raw + b"}"


def nested_objects(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


def without(actor_url: str, name: str) -> bytes:
    activity = follow(actor_url)
    del activity[name]
    return dumps(activity)


def replaced(actor_url: str, name: str, value) -> bytes:
    return dumps({**follow(actor_url), name: value})


def object_replaced(actor_url: str, name: str, value) -> bytes:
    return dumps(create(actor_url, **{name: value}))


SHAPES = {
    # Nesting: each of these raised RecursionError (a 500) before any signature check.
    "brackets 200 KB, unclosed": lambda url: b"[" * 200_000,
    "brackets 200 KB, balanced": lambda url: b"[" * 100_000 + b"]" * 100_000,
    "900 nested objects": lambda url: nested_objects(900),
    "900 nested objects in an activity": lambda url: with_field(url, b'"x": '
                                                                + nested_objects(900)),
    "one level deeper than allowed": lambda url: with_field(url, b'"x": '
                                                            + nested_objects(max_depth())),
    # Encodings (RFC 8259 section 8.1: UTF-8, no byte order mark).
    "invalid UTF-8": lambda url: dumps(follow(url)).replace(b"follows", b"follows\xff"),
    "Latin-1": lambda url: json.dumps({**follow(url), "summary": "fête"},
                                      ensure_ascii=False).encode("latin-1"),
    "UTF-16": lambda url: json.dumps(follow(url)).encode("utf-16"),
    "UTF-8 with a byte order mark": lambda url: b"\xef\xbb\xbf" + dumps(follow(url)),
    # Not JSON, or not one JSON object.
    "empty": lambda url: b"",
    "whitespace": lambda url: b" \r\n\t ",
    "truncated": lambda url: dumps(follow(url))[:-1],
    "trailing data": lambda url: dumps(follow(url)) + b" {}",
    "two documents": lambda url: dumps(follow(url)) + dumps(follow(url)),
    "array": lambda url: b"[]",
    "array of an activity": lambda url: dumps([follow(url)]),
    "string": lambda url: b'"Follow"',
    "number": lambda url: b"42",
    "null": lambda url: b"null",
    "true": lambda url: b"true",
    # Values JSON or PostgreSQL cannot hold.
    "NaN": lambda url: with_field(url, b'"x": NaN'),
    "Infinity": lambda url: with_field(url, b'"x": -Infinity'),
    "float overflow": lambda url: with_field(url, b'"x": 1e999'),
    "5000-digit integer": lambda url: with_field(url, b'"x": ' + b"9" * 5000),
    "escaped NUL": lambda url: replaced(url, "summary", "a\u0000b"),
    "escaped NUL in a key": lambda url: with_field(url, b'"a\\u0000": 1'),
    "lone surrogate": lambda url: with_field(url, b'"summary": "a\\ud800b"'),
    # Duplicate keys: parsers disagree on which one wins.
    "duplicate type": lambda url: b'{"type": "Delete", ' + dumps(follow(url))[1:],
    "duplicate id in the object": lambda url: dumps(create(url)).replace(
        b'"type": "Event"', b'"id": "' + url.encode() + b'/events/2", "type": "Event"'),
    # Missing fields.
    **{f"without {name}": functools.partial(without, name=name)
       for name in ("id", "type", "actor", "object")},
    # Wrong types in the activity's fields.
    **{f"activity {name} = {value!r}": functools.partial(replaced, name=name, value=value)
       for name, value in [
        ("id", 5), ("id", ["https://x.example/1"]), ("id", {"id": "https://x.example/1"}),
        ("id", None), ("type", ["Follow"]), ("type", 5), ("type", {"Follow": 1}),
        ("type", None), ("actor", 5), ("actor", True), ("actor", None), ("object", 5),
        ("object", True), ("object", None), ("to", 5), ("to", True), ("to", [5]),
        ("cc", 5.5), ("cc", [True]), ("published", 5),
    ]},
    # Wrong types in an embedded object's fields.
    **{f"object {name} = {value!r}": functools.partial(object_replaced, name=name,
                                                       value=value)
       for name, value in [
        ("id", 5), ("id", None), ("type", [5]), ("type", [{}]), ("type", 5),
        ("attributedTo", 5), ("attributedTo", [5]), ("name", 5), ("name", ["Fête"]),
        ("summary", {"fr": "x"}), ("content", 5), ("content", ["<p>x</p>"]), ("url", 5),
        ("published", 5), ("updated", []), ("startTime", 5), ("endTime", True),
        ("timezone", 5), ("location", 5), ("location", True),
    ]},
}


@functools.cache
def key_pair() -> tuple[str, str]:
    return generate_key_pair()


def actor_of(peer, name: str) -> RemoteTestActor:
    """An actor of the fake peer, with the module's one key pair (generating an RSA key
    was most of each test's time)."""
    private, public = key_pair()
    actor = RemoteTestActor(peer=peer, url=f"{peer.base}/users/{name}", private_pem=private,
                            public_pem=public)
    peer.serve_json(f"/users/{name}", actor.document())
    return actor


@pytest.fixture
def alice(peer, ap_commune):
    return actor_of(peer, "alice")


def assert_refused(response, status=None):
    assert 400 <= response.status_code < 500, response.content[:300]
    if status is not None:
        assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json().get("error"), str)
    assert InboxMessage.objects.count() == 0


@pytest.mark.parametrize("inbox", INBOXES)
@pytest.mark.parametrize("shape", SHAPES)
def test_hostile_body_gets_a_4xx_and_nothing_is_stored(client, alice, inbox, shape):
    body = SHAPES[shape](alice.url)
    assert len(body) <= django_settings.FEDERATION_INBOX_MAX_BYTES
    response = post_signed(client, actor=alice, path=inbox, activity={}, body=body)
    assert_refused(response, status=400)


@pytest.mark.parametrize("inbox", INBOXES)
def test_unsigned_deep_nesting_gets_a_4xx(client, ap_commune, inbox):
    response = client.post(inbox, data=b"[" * 200_000,
                           content_type="application/activity+json")
    assert_refused(response, status=400)


@pytest.mark.parametrize("inbox", INBOXES)
def test_body_over_the_limit_gets_413_with_json(client, alice, inbox, settings):
    body = with_field(alice.url, b'"x": "' + b"a" * settings.FEDERATION_INBOX_MAX_BYTES + b'"')
    assert_refused(post_signed(client, actor=alice, path=inbox, activity={}, body=body),
                   status=413)


def test_inbox_of_an_unknown_commune_answers_json(client, alice):
    response = post_signed(client, actor=alice, path="/ap/communes/nowhere/inbox",
                           activity=follow(alice.url))
    assert_refused(response, status=404)


@pytest.mark.parametrize("inbox", INBOXES)
def test_brackets_in_strings_and_nesting_at_the_limit_are_accepted(client, alice, inbox):
    # The depth scan skips strings (escaped quotes included) and allows the limit itself.
    body = with_field(alice.url, b'"summary": "[[[{{{ \\" [[[ \\\\", "x": '
                      + nested_objects(max_depth() - 1))
    response = post_signed(client, actor=alice, path=inbox, activity={}, body=body)
    assert response.status_code == 202, response.content
    assert InboxMessage.objects.get().body["summary"] == '[[[{{{ " [[[ \\'


@pytest.mark.parametrize("inbox", INBOXES)
def test_an_object_typed_by_a_list_is_read(client, alice, inbox):
    # ActivityStreams allows a list of types; the reader once hashed it (a 500).
    response = post_signed(client, actor=alice, path=inbox, activity={},
                           body=object_replaced(alice.url, "type", ["Event", "schema:Event"]))
    assert response.status_code == 202, response.content


# --- documents fetched for a signing key ---------------------------------------------

DOCUMENTS = {
    "900 nested objects": lambda doc: json.dumps(doc)[:-1].encode() + b', "x": '
                                      + nested_objects(900) + b"}",
    "brackets only": lambda doc: b"[" * 200_000,
    "not an object": lambda doc: dumps([doc]),
    "invalid UTF-8": lambda doc: dumps(doc).replace(b'"Person"', b'"Person\xff"'),
    "NaN": lambda doc: dumps(doc)[:-1] + b', "x": NaN}',
    "duplicate publicKey": lambda doc: b'{"publicKey": {"id": "' + doc["id"].encode()
                                       + b'#other", "publicKeyPem": "x"}, ' + dumps(doc)[1:],
    "over the fetch limit": lambda doc: dumps({**doc, "x": "a" * 5000}),
}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_hostile_key_document_gets_a_401_and_nothing_is_stored(client, peer, ap_commune,
                                                               settings, document):
    if document == "over the fetch limit":
        settings.FEDERATION_FETCH_MAX_BYTES = 4096
    mallory = actor_of(peer, "mallory")
    peer.serve_bytes("/users/mallory", DOCUMENTS[document](mallory.document()))
    response = post_signed(client, actor=mallory, path="/ap/inbox",
                           activity=follow(mallory.url))
    assert_refused(response, status=401)
    assert not RemoteActor.objects.filter(url=mallory.url).exists()

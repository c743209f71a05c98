"""JSON from another server, read within limits before anything else looks at it.

Every remote JSON document (an inbox POST, a fetched actor, key or object) goes through
`json_document()`: its size and nesting depth are bounded *before* it is decoded (a byte
scan of the brackets outside strings: Python's decoder and every recursive walk after
it would otherwise raise RecursionError on a few hundred kilobytes of brackets), it
must be UTF-8 without a byte order mark (RFC 8259, section 8.1), and it may hold
neither duplicate keys (parsers disagree on which one wins), nor numbers JSON cannot
represent (NaN, Infinity, 1e999), nor text PostgreSQL cannot store (U+0000, lone
surrogates).

`activity_shape_check()` then refuses an activity whose fields the wire format reads
(wire.py) have a JSON type ActivityStreams does not allow, rather than letting them be
ignored or break a reader further on.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

# A JSON string: quote, then runs of plain bytes or escape pairs, then quote.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_STEP = [1 if byte in b"[{" else -1 for byte in range(256)]
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class InboundJSONError(ValueError):
    """The document is not JSON Clocher reads from another server."""


def json_depth_check(body: bytes, *, max_depth: int) -> None:
    """Raise InboundJSONError if brackets outside strings nest deeper than max_depth."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    if len(brackets) <= max_depth:
        return
    # The running depth, computed in C (accumulate over a table look-up): a 256 KB body
    # of brackets takes milliseconds.
    if max(accumulate(map(_STEP.__getitem__, brackets))) > max_depth:
        raise InboundJSONError(f"nested deeper than {max_depth} levels")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise InboundJSONError("duplicate keys")
    return data


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InboundJSONError("number out of range")
    return number


def _constant(name: str):
    raise InboundJSONError(f"{name} is not JSON")


def _text_check(data: Any) -> None:
    """No NUL or lone surrogate in any key or string (iterative: depth is bounded, but
    the walk needs no stack either way)."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise InboundJSONError("NUL characters and lone surrogates are not accepted")
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def json_document(body: bytes, *, max_bytes: int, max_depth: int) -> Any:
    """Decode a remote JSON document within the limits, or raise InboundJSONError."""
    if len(body) > max_bytes:
        raise InboundJSONError(f"larger than {max_bytes} bytes")
    json_depth_check(body, max_depth=max_depth)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InboundJSONError("not UTF-8") from error
    if text.startswith("\ufeff"):
        raise InboundJSONError("byte order mark")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_finite,
                          parse_constant=_constant)
    except InboundJSONError:
        raise
    except (ValueError, RecursionError) as error:  # RecursionError: a bound set too high
        raise InboundJSONError(f"not JSON: {error}") from error
    _text_check(data)
    return data


# --- the fields the wire format reads, with the JSON types ActivityStreams allows ------

_TEXT = (str, type(None))
_REFERENCE = (str, dict, type(None))  # an id, or an embedded object or Link


def _references(value: Any) -> bool:
    """A reference, or a list of them (to, cc, attributedTo, url)."""
    if isinstance(value, list):
        return all(isinstance(item, (str, dict)) for item in value)
    return isinstance(value, _REFERENCE)


def _types(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(item, str) for item in value))


ACTIVITY_FIELDS = {
    "id": lambda value: isinstance(value, str),
    "type": lambda value: isinstance(value, str),
    "actor": lambda value: isinstance(value, (str, dict)),
    "object": lambda value: isinstance(value, (str, dict)),
    "to": _references, "cc": _references, "bto": _references, "bcc": _references,
    "audience": _references,
    "published": lambda value: isinstance(value, _TEXT),
}
OBJECT_FIELDS = {
    "id": lambda value: isinstance(value, str),
    "type": _types,
    "attributedTo": _references, "url": _references, "to": _references,
    "cc": _references,
    "location": lambda value: isinstance(value, (str, dict, list, type(None))),
    **{name: (lambda value: isinstance(value, _TEXT)) for name in (
        "name", "summary", "content", "published", "updated", "startTime", "endTime",
        "timezone", "clocherName", "clocherSummary", "clocherContent")},
}


def activity_shape_check(data: Any, *, activity_types: set[str], depth: int = 0) -> None:
    """Raise InboundJSONError if a field the wire format reads has a JSON type that
    ActivityStreams does not allow there (embedded objects and activities included)."""
    if not isinstance(data, dict):
        raise InboundJSONError("an activity is a JSON object")
    _fields_check(data, ACTIVITY_FIELDS, "activity")
    inner = data.get("object")
    if not isinstance(inner, dict) or depth > 8:
        return
    if isinstance(inner.get("type"), str) and inner["type"] in activity_types:
        activity_shape_check(inner, activity_types=activity_types, depth=depth + 1)
    else:
        object_shape_check(inner)


def object_shape_check(data: Any) -> None:
    """The same for a content object on its own (one fetched from its origin)."""
    if not isinstance(data, dict):
        raise InboundJSONError("an object is a JSON object")
    _fields_check(data, OBJECT_FIELDS, "object")


def _fields_check(data: dict, fields: dict, what: str) -> None:
    for name, allowed in fields.items():
        if name in data and not allowed(data[name]):
            raise InboundJSONError(f"{what} field {name!r} has the wrong type")

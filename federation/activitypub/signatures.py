"""HTTP signatures: draft-cavage rsa-sha256 (what Mastodon sends) and RFC 9421.

draft-cavage-http-signatures-12 is implemented here on `cryptography` because the
`http-message-signatures` library only speaks RFC 9421, and the draft form is small:
a `Signature` header naming a key, the covered headers and a base64 PKCS#1 v1.5
SHA-256 signature over "name: value" lines. RFC 9421 requests (`Signature-Input`)
are verified with `http-message-signatures`.

Inbound rule (issue 5, item 3): a POST must cover (request-target), host, date and
digest; the digest must match the raw body; the date must be within 5 minutes.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

REQUIRED_POST_HEADERS = ("(request-target)", "host", "date", "digest")


class SignatureError(Exception):
    """The request is not signed as required, or the signature does not verify."""


def generate_key_pair() -> tuple[str, str]:
    """Return a new (private PEM, public PEM) RSA-2048 pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureError("only RSA keys are supported")
    return key


# Keyed by the PEM itself, so a rotated key is a new entry: nothing to invalidate.
@functools.lru_cache(maxsize=512)
def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """Parse a public key PEM (cached: every inbox POST of an actor uses the same key)."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as error:
        raise SignatureError(f"unreadable public key: {error}") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("only RSA public keys are supported")
    return key


def body_digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: dt.datetime | None = None) -> str:
    return format_datetime(moment or dt.datetime.now(dt.UTC), usegmt=True)


def _signing_string(names: list[str], *, method: str, path: str,
                    headers: dict[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        else:
            if name not in headers:
                raise SignatureError(f"signed header {name!r} is missing")
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def sign_request(*, method: str, url: str, headers: dict[str, str], body: bytes | None,
                 key_id: str, private_key: rsa.RSAPrivateKey) -> dict[str, str]:
    """Return headers with Host, Date, Digest (for a body) and a draft-cavage Signature."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    signed = {k: v for k, v in headers.items()}
    signed["Host"] = parts.netloc
    signed["Date"] = http_date()
    names = ["(request-target)", "host", "date"]
    if body is not None:
        signed["Digest"] = body_digest(body)
        names.append("digest")
        if "Content-Type" in signed:
            names.append("content-type")
    lowered = {k.lower(): v for k, v in signed.items()}
    text = _signing_string(names, method=method, path=path, headers=lowered)
    signature = private_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    signed["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return signed


@dataclass(frozen=True)
class SignedRequest:
    """What the inbox knows about a request: method, path (with query), headers, body."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    url: str = ""


def _parse_signature_header(value: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in value.split(","):
        if "=" not in part:
            continue
        name, _, raw = part.strip().partition("=")
        fields[name.strip().lower()] = raw.strip().strip('"')
    return fields


def signature_key_id(request: SignedRequest) -> str:
    """The keyId a request claims (draft-cavage or RFC 9421), without verifying."""
    if "signature-input" in request.headers:
        marker = 'keyid="'
        value = request.headers["signature-input"]
        start = value.lower().find(marker)
        if start < 0:
            raise SignatureError("Signature-Input has no keyid")
        start += len(marker)
        return value[start:value.index('"', start)]
    if "signature" not in request.headers:
        raise SignatureError("request is not signed")
    key_id = _parse_signature_header(request.headers["signature"]).get("keyid")
    if not key_id:
        raise SignatureError("Signature has no keyId")
    return key_id


def _check_date_and_digest(request: SignedRequest, *, now: dt.datetime,
                           max_skew: float) -> None:
    try:
        date = parsedate_to_datetime(request.headers.get("date", ""))
    except (TypeError, ValueError) as error:
        raise SignatureError("missing or unreadable Date") from error
    if date.tzinfo is None:
        date = date.replace(tzinfo=dt.UTC)
    if abs((now - date).total_seconds()) > max_skew:
        raise SignatureError("Date is more than 5 minutes away from now")
    if request.method.upper() == "POST":
        digest = request.headers.get("digest", "")
        content_digest = request.headers.get("content-digest", "")
        if digest:
            algorithms = dict(item.strip().split("=", 1) for item in digest.split(",")
                              if "=" in item)
            expected = body_digest(request.body).split("=", 1)[1]
            got = algorithms.get("SHA-256") or algorithms.get("sha-256")
            if got != expected:
                raise SignatureError("Digest does not match the body")
        elif content_digest:
            expected = base64.b64encode(hashlib.sha256(request.body).digest()).decode()
            if f"sha-256=:{expected}:" not in content_digest.replace(" ", ""):
                raise SignatureError("Content-Digest does not match the body")
        else:
            raise SignatureError("POST without Digest")


def verify_request(request: SignedRequest, *, public_key_pem: str,
                   now: dt.datetime | None = None, max_skew: float = 300) -> None:
    """Verify a draft-cavage or RFC 9421 signature; raise SignatureError if it fails."""
    now = now or dt.datetime.now(dt.UTC)
    _check_date_and_digest(request, now=now, max_skew=max_skew)
    key = load_public_key(public_key_pem)
    if "signature-input" in request.headers:
        _verify_rfc9421(request, public_key_pem=public_key_pem, max_skew=max_skew)
        return
    fields = _parse_signature_header(request.headers.get("signature", ""))
    if fields.get("algorithm", "rsa-sha256").lower() not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"unsupported algorithm {fields.get('algorithm')!r}")
    names = fields.get("headers", "date").lower().split()
    required = REQUIRED_POST_HEADERS if request.method.upper() == "POST" else (
        "(request-target)", "host", "date")
    missing = [name for name in required if name not in names]
    if missing:
        raise SignatureError(f"signature does not cover {', '.join(missing)}")
    text = _signing_string(names, method=request.method, path=request.path,
                           headers=request.headers)
    try:
        signature = base64.b64decode(fields.get("signature", ""), validate=True)
        key.verify(signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError) as error:
        raise SignatureError("signature does not verify") from error


def _verify_rfc9421(request: SignedRequest, *, public_key_pem: str, max_skew: float) -> None:
    import requests
    from http_message_signatures import HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms
    from http_message_signatures.exceptions import HTTPMessageSignaturesException

    class Resolver(HTTPSignatureKeyResolver):
        def resolve_public_key(self, key_id: str):
            return public_key_pem.encode()

        def resolve_private_key(self, key_id: str):
            raise NotImplementedError

    prepared = requests.Request(request.method, request.url, headers=request.headers,
                                data=request.body).prepare()
    required = ("@method", "@target-uri", "content-digest") \
        if request.method.upper() == "POST" else ("@method", "@target-uri")
    last_error: Exception | None = None
    for algorithm in (algorithms.RSA_V1_5_SHA256, algorithms.RSA_PSS_SHA512):
        verifier = HTTPMessageVerifier(signature_algorithm=algorithm, key_resolver=Resolver())
        try:
            verifier.verify(prepared, max_age=dt.timedelta(seconds=max_skew),
                            require_components=required, body=request.body)
            return
        except HTTPMessageSignaturesException as error:
            last_error = error
    raise SignatureError(f"RFC 9421 signature does not verify: {last_error}")

"""Signed fetches of our own documents (FEDERATION_REQUIRE_SIGNED_FETCH, off by default).

With the setting on, a GET of an object, an activity or a commune's collections must be
signed (draft-cavage or RFC 9421) by a key whose owner this server can fetch and whose
domain is not blocked, as Mastodon's "authorized fetch" mode asks. Actor documents,
the instance actor, WebFinger and NodeInfo stay public: a peer must read our key to
check our own signatures, and discovery must work before any key is known.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from .remote import RemoteError, domain_blocked, remote_actor_for_key
from .signatures import SignatureError, SignedRequest, signature_key_id, verify_request
from .wire import host_of

logger = logging.getLogger(__name__)


class FetchRefusedError(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def fetch_signer_check(*, request: SignedRequest) -> str:
    """The URL of the actor who signed this GET, or FetchRefusedError(status, reason)."""
    try:
        key_id = signature_key_id(request)
    except SignatureError as error:
        raise FetchRefusedError(401, "this server answers signed requests only") from error
    if domain_blocked(host_of(key_id)):
        raise FetchRefusedError(403, "domain blocked")
    try:
        signer = remote_actor_for_key(key_id=key_id)
        verify_request(request, public_key_pem=signer.public_key_pem,
                       max_skew=settings.FEDERATION_SIGNATURE_MAX_SKEW_SECONDS)
    except (RemoteError, SignatureError) as error:
        logger.info("signed fetch with key %r refused: %s", key_id, error)
        raise FetchRefusedError(401, "signature refused") from error
    return signer.url


def _signed_get(request: HttpRequest) -> SignedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = request.get_host()
    return SignedRequest(method=request.method or "GET", path=request.get_full_path(),
                         headers=headers, body=b"", url=request.build_absolute_uri())


def signed_fetch(view):
    """Refuse an unsigned or badly signed GET when FEDERATION_REQUIRE_SIGNED_FETCH is on."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        if settings.FEDERATION_REQUIRE_SIGNED_FETCH:
            try:
                fetch_signer_check(request=_signed_get(request))
            except FetchRefusedError as error:
                response = JsonResponse({"error": error.reason}, status=error.status)
                response["Vary"] = "Signature, Signature-Input"
                return response
        return view(request, *args, **kwargs)

    return checked

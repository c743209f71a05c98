"""One error shape for every failure of the public API.

    {"status": 400, "code": "invalid_parameters", "errors": {"commune": ["…"]}}

Parameter errors are keyed by parameter name; other errors use the key "detail".
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

CODES = {
    400: "invalid_parameters",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    410: "cursor_expired",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
    503: "search_unavailable",
}


class CursorExpired(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _("This cursor is older than the retained changes: resync from the list "
                       "endpoints, then follow /api/changes from the cursor they give.")
    default_code = "cursor_expired"


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [message for nested in value.values() for message in _flatten(nested)]
    if isinstance(value, list):
        return [message for nested in value for message in _flatten(nested)]
    return [str(value)]


def _as_lists(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _flatten(value) for name, value in detail.items()}
    if isinstance(detail, list):
        return {"detail": [str(message) for message in detail]}
    return {"detail": [str(detail)]}


def error_body(status_code: int, errors: dict[str, list[str]]) -> dict:
    return {"status": status_code, "code": CODES.get(status_code, "error"), "errors": errors}


def api_exception_handler(exc, context):
    """DRF's handler (headers such as Retry-After, WWW-Authenticate), our body shape;
    anything unexpected becomes a logged 500 in the same shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unexpected error in the public API", exc_info=exc)
        return Response(error_body(500, {"detail": [gettext("Internal error.")]}),
                        status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    response.data = error_body(response.status_code, _as_lists(response.data))
    return response

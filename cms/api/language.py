"""The language of the API's messages (issue 28, item 5): the request's Accept-Language.

English when the request names no language the API speaks (partners' code expects a
stable default; the site's LocaleMiddleware would fall back to French). Error bodies
then carry `Content-Language` and vary on `Accept-Language`.
"""

from functools import wraps

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT_LANGUAGE = "en"


def request_language(request) -> str:
    """The first language of Accept-Language that the API speaks, else English."""
    spoken = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            variant = translation.get_supported_language_variant(code)
        except LookupError:
            continue
        if variant.split("-")[0] in spoken:
            return variant.split("-")[0]
    return DEFAULT_LANGUAGE


def in_request_language(view):
    """Run the view in the request's language; say which on error responses."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        language = request_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
            if getattr(response, "status_code", 200) >= 400:
                response["Content-Language"] = language
                vary = response.get("Vary", "")
                if "accept-language" not in vary.lower():
                    response["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
        return response

    return wrapped

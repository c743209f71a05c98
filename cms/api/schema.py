"""drf-spectacular hooks: the schema documents the partner API only."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_partner_api(endpoints):
    # Wagtail's /api/v2/ has its own conventions and is not part of this contract.
    return [(path, regex, method, callback) for path, regex, method, callback in endpoints
            if path.startswith("/api/") and not path.startswith("/api/v2/")]


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "cms.api.auth.ApiKeyAuthentication"
    name = ["bearerAuth", "apiKeyHeader"]
    priority = 1

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer",
             "description": "Partner key: `Authorization: Bearer <key>`. Optional unless "
                            "the server requires keys; anonymous clients get a lower rate "
                            "limit."},
            {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        ]

    def get_security_requirement(self, auto_schema):
        # Anonymous access is allowed too: the empty requirement says so.
        return [{"bearerAuth": []}, {"apiKeyHeader": []}, {}]


ACCEPT_LANGUAGE = {
    "in": "header", "name": "Accept-Language", "required": False,
    "schema": {"type": "string", "example": "fr"},
    "description": "Language of the error messages (`fr`, `en`, `de`; English when none "
                   "of them is asked for). The error `code` never depends on it.",
}


def api_style(result, generator, request, public):
    """Every operation documents Accept-Language (the language of its error messages)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Accept-Language" for p in parameters):
                    parameters.append(ACCEPT_LANGUAGE)
    return result

"""The JSON API assembled: every domain's handlers loaded onto the API blueprint, and the OpenAPI document built from
the URL map and the Marshmallow schemas of their @doc descriptions."""

import importlib
import inspect

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from app.core.http.api import api_bp, doc
from app.web.error_codes import operation_errors
from app.web.throttle import SIGN_IN_ENDPOINTS

API_MODULES = (
    "accounts",
    "regions",
    "channels",
    "applications",
    "reviews",
    "key_issuance",
    "messaging",
    "audit_log",
    "gateway",
    "security_tests",
    "production",
    "agreements",
    "monitoring",
    "documents",
    "work_orders",
    "notices",
    "promotions",
    "changes",
    "incidents",
    "exits",
    "channel_import",
    "data_quality",
)


def load_api_routes() -> None:
    for name in API_MODULES:
        importlib.import_module(f"app.modules.{name}.api")


def build_openapi(app) -> dict:
    spec = APISpec(
        title="e-SSC channel management API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "JSON API of the e-SSC channel-management service. Errors: "
            '{"error": {"code", "message", "fields"}}. Each operation lists the error statuses it can answer with and, '
            "for each, the codes it can carry (`x-error-codes`); a refusal by a rule carries the rule's ID (C2.2, "
            "C6.1, …) when the rule computes it, and the message is in the language of Accept-Language."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema(
        "Error",
        {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object"},
                        "request_id": {"type": "string", "description": "the id the request's log lines carry"},
                    },
                }
            },
        },
    )
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(inspect.unwrap(view), "_openapi", None) or getattr(view, "_openapi", None)
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = _operation(rule, meta, method)
            operation["responses"] |= _error_responses(rule, meta, view)
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
STATUS_TITLES = {
    400: "Malformed request",
    401: "Not signed in, or the sign-in failed",
    403: "Not allowed",
    404: "Not found (or not yours to see)",
    409: "Conflicts with the object's current state",
    422: "Refused by a rule or invalid data",
    429: "Too many attempts",
}


def _error_responses(rule, meta: dict | None, view) -> dict:
    """Every error status the operation can answer with and, for each, the codes in `error.code` (issue 16)."""
    codes = operation_errors(view)
    public = bool(meta and meta.get("public"))
    if not public:
        codes.setdefault(401, set()).add("unauthorized")
        codes.setdefault(403, set()).add("forbidden")
    if rule.arguments:
        codes.setdefault(404, set()).add("not_found")
    if rule.endpoint in SIGN_IN_ENDPOINTS:
        codes.setdefault(429, set()).add("too_many_requests")
    return {
        str(status): {
            "description": f"{STATUS_TITLES.get(status, 'Error')}. error.code: "
            + ", ".join(f"`{c}`" for c in sorted(found)),
            "content": ERROR_CONTENT,
            "x-error-codes": sorted(found),
        }
        for status, found in sorted(codes.items())
    }


def _path_schema(rule, argument: str) -> dict:
    if f"int:{argument}" in rule.rule:
        return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    return {"type": "string", "maxLength": 64}


def _operation(rule, meta: dict | None, method: str) -> dict:
    meta = meta or {"summary": "(undocumented)", "tag": "", "status": 200, "query": {}}
    op: dict = {
        "summary": meta["summary"],
        "operationId": f"{rule.endpoint}_{method.lower()}",
        "tags": [meta["tag"]] if meta["tag"] else [],
        "responses": {
            "default": {
                "description": "Unexpected error (500, 503)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
    }
    if not meta.get("public"):
        op["security"] = [{"bearer": []}]
    params = [{"name": a, "in": "path", "required": True, "schema": _path_schema(rule, a)} for a in rule.arguments]
    params += [{"name": k, "in": "query", "required": False, "schema": v} for k, v in meta["query"].items()]
    if params:
        op["parameters"] = params
    response = {"description": "OK"}
    if meta.get("response") is not None:
        response["content"] = {"application/json": {"schema": meta["response"]}}
    if meta.get("produces"):
        response["content"] = {t: {"schema": {"type": "string", "format": "binary"}} for t in meta["produces"]}
    op["responses"][str(meta["status"])] = response
    if meta.get("raw_body"):
        binary = {"schema": {"type": "string", "format": "binary"}}
        op["requestBody"] = {"required": True, "content": {t: binary for t in meta["raw_body"]}}
    if meta.get("request") is not None:
        content_type = "multipart/form-data" if getattr(meta["request"], "multipart", False) else "application/json"
        op["requestBody"] = {"required": True, "content": {content_type: {"schema": meta["request"]}}}
    return op


@api_bp.get("/openapi.json")
@doc("This OpenAPI document", tag="meta", public=True)
def openapi():
    return build_openapi(current_app)

"""The JSON API assembled: every domain's handlers loaded onto the API blueprint, and the OpenAPI document built from
the URL map and the Marshmallow schemas of their @doc descriptions."""

import importlib

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from app.core.http.api import api_bp, doc

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
            '{"error": {"code", "message", "fields"}}.'
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
                    },
                }
            },
        },
    )
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        meta = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, meta, method)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


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
                "description": "Error",
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

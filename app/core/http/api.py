"""The JSON API base: one error format, request validation, and @doc, the OpenAPI description every API view carries
(the document itself is built in `app.web.api` from the URL map and these descriptions, so an endpoint cannot exist
without appearing in it)."""

from flask import Blueprint, g, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError, http_message, with_allow
from app.core.i18n import current_locale
from app.extensions import csrf

api_bp = Blueprint("api", __name__)
csrf.exempt(api_bp)


def doc(
    summary: str,
    *,
    request_schema=None,
    response_schema=None,
    tag: str = "",
    status: int = 200,
    query: dict | None = None,
    public: bool = False,
    raw_body: tuple[str, ...] = (),
    produces: tuple[str, ...] = (),
):
    """Attach the OpenAPI description of an endpoint to its view function (`produces`: the content types of a file
    answer, e.g. application/pdf)."""

    def wrap(func):
        func._openapi = dict(
            summary=summary,
            request=request_schema,
            response=response_schema,
            tag=tag,
            status=status,
            query=query or {},
            public=public,
            raw_body=raw_body,
            produces=produces,
        )
        return func

    return wrap


def error_body(code: str, message: str, fields: dict | None = None, status: int = 400):
    """The one error shape; `request_id` is what the log lines of this request carry (for support)."""
    error = {"code": code, "message": message, "fields": fields or {}, "request_id": g.get("request_id")}
    return jsonify({"error": error}), status


MAX_JSON_DEPTH = 32


def _depth(data) -> int:
    """How deeply `data` nests lists and objects, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def request_json():
    """The request's JSON body (None when absent or not JSON); refused with 400 when nested deeper than
    MAX_JSON_DEPTH, which no request of this API needs (hostile input never reaches a parser's recursion limit)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
        too_deep = True
    else:
        too_deep = _depth(data) > MAX_JSON_DEPTH
    if too_deep:
        raise DomainError(
            f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层",
            f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels",
            code="malformed_json",
            fields={"body": ["nested too deeply"]},
            status=400,
        )
    return data


def load_body(schema: Schema) -> dict:
    """Validate the JSON body with `schema` (unknown fields are refused)."""
    data = request_json()
    if data is None:
        raise DomainError(
            "请求体须为 JSON 对象", "The request body must be a JSON object", code="malformed_json", status=400
        )
    return _validated(schema, data)


def load_form(schema: Schema) -> dict:
    """Validate the fields of a multipart/form-data request with `schema` (files are read separately)."""
    return _validated(schema, request.form.to_dict())


def _has_nul(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_nul(v) for v in data)
    return False


def _validated(schema: Schema, data) -> dict:
    if _has_nul(data):  # no text column can hold NUL (PostgreSQL refuses it); refuse it here, cleanly
        raise DomainError(
            "请求数据含有空字符（U+0000）",
            "The request data contains a NUL character",
            code="validation_error",
            status=422,
        )
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise DomainError(
            "请求数据有误，请检查各字段",
            "Invalid request data; see fields",
            code="validation_error",
            fields=exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages},
            status=422,
        ) from exc


@api_bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_body(exc.code, exc.message(current_locale()), exc.fields, exc.status)


@api_bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    body, status = error_body(exc.name.lower().replace(" ", "_"), http_message(exc), status=exc.code)
    return with_allow(body, exc), status

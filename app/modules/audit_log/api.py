"""Audit log API (S4)."""

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields

from app.core.http.api import api_bp, doc
from app.core.http.pagination import paginate
from app.core.schema_fields import ZonedDateTime
from app.modules.audit_log.views import filtered_query


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = ZonedDateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    actor_role = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditListSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


@api_bp.get("/audit")
@doc(
    "The audit log, filterable (S4)",
    response_schema=AuditListSchema,
    tag="audit",
    query={k: {"type": "string"} for k in ("action", "object_type", "object_id", "actor_name", "since", "until")}
    | {"page": {"type": "integer"}, "per_page": {"type": "integer"}},
)
def audit_api():
    return paginate(filtered_query(request.args, current_user)).as_dict(AuditEntrySchema(many=True))

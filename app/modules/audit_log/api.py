"""Audit log API (S4)."""

from flask import request
from marshmallow import Schema, fields

from app.extensions import db
from app.modules.audit_log.views import filtered_query
from app.web.api import api_bp, doc, page_args


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
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


@api_bp.get("/audit")
@doc(
    "The audit log, filterable (S4)",
    response_schema=AuditListSchema,
    tag="audit",
    query={k: {"type": "string"} for k in ("action", "object_type", "object_id", "actor_name", "since", "until")}
    | {"page": {"type": "integer"}, "per_page": {"type": "integer"}},
)
def audit_api():
    page, size = page_args()
    entries = db.session.scalars(filtered_query(request.args).limit(size).offset((page - 1) * size)).all()
    return {"items": AuditEntrySchema(many=True).dump(entries), "page": page}

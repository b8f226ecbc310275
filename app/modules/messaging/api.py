"""Inbox API (S8)."""

import sqlalchemy as sa
from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.errors import NotFound
from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import choice_arg, paginate
from app.core.schema_fields import ZonedDateTime
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts.schemas import StrictSchema
from app.modules.messaging import operations as ops
from app.modules.messaging.catalogue import CATEGORIES
from app.modules.messaging.delivery import retry
from app.modules.messaging.models import Delivery, Message
from app.modules.messaging.operations import inbox_query


class MessageSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    sender_unit = fields.String()
    subject = fields.String()
    body = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    created_at = ZonedDateTime()
    read_at = ZonedDateTime(allow_none=True)


class MessageListSchema(Schema):
    items = fields.List(fields.Nested(MessageSchema))


@api_bp.get("/messages")
@doc("The caller's inbox, newest first", response_schema=MessageListSchema, tag="messaging")
def list_messages():
    return {"items": MessageSchema(many=True).dump(db.session.scalars(inbox_query(current_user).limit(200)))}


@api_bp.post("/messages/<int:message_id>/read")
@doc("Mark a message read", response_schema=MessageSchema, tag="messaging")
def read_message(message_id: int):
    message = db.session.scalar(inbox_query(current_user).where(Message.id == message_id))
    if message is None:
        raise NotFound()
    message.read_at = message.read_at or utcnow()
    db.session.commit()
    return MessageSchema().dump(message)


class TemplateSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    category = fields.String()
    sender_unit = fields.String()
    subject = fields.String()
    body = fields.String()
    placeholders = fields.List(fields.String())
    status = fields.String()
    review_note = fields.String()
    reviewed_at = ZonedDateTime(allow_none=True)


class TemplateListSchema(Schema):
    items = fields.List(fields.Nested(TemplateSchema))


class TemplateInSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    category = fields.String(required=True, validate=validate.OneOf(["business", "notice", "publicity"]))
    sender_unit = fields.String(required=True, validate=validate.Length(min=1, max=100))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    placeholders = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)


class TemplateReviewInSchema(StrictSchema):
    approve = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class RecordSchema(MessageSchema):
    organisation_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    template_id = fields.Integer(allow_none=True)


class RecordListSchema(Schema):
    items = fields.List(fields.Nested(RecordSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class DeliverySchema(Schema):
    id = fields.Integer()
    message_id = fields.Integer()
    channel = fields.String()
    address = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = ZonedDateTime()
    last_error = fields.String()
    sent_at = ZonedDateTime(allow_none=True)


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))


@api_bp.get("/message-templates")
@doc("Message templates, every version with its review state (S1)", response_schema=TemplateListSchema, tag="messaging")
def list_templates_api():
    return {"items": TemplateSchema(many=True).dump(ops.templates())}


@api_bp.post("/message-templates")
@doc(
    "Operator: propose a template or a new version; it is used only after another operator approves it (S1)",
    request_schema=TemplateInSchema,
    response_schema=TemplateSchema,
    tag="messaging",
    status=201,
)
def propose_template_api():
    return TemplateSchema().dump(ops.propose_template(current_user, load_body(TemplateInSchema()))), 201


@api_bp.post("/message-templates/<int:template_id>/review")
@doc(
    "Operator (not the author): approve or reject a template version (S1)",
    request_schema=TemplateReviewInSchema,
    response_schema=TemplateSchema,
    tag="messaging",
)
def review_template_api(template_id: int):
    data = load_body(TemplateReviewInSchema())
    return TemplateSchema().dump(ops.review_template(current_user, template_id, data["approve"], data["note"]))


@api_bp.get("/message-record")
@doc(
    "Every message sent, newest first, searchable by text and category (S1)",
    response_schema=RecordListSchema,
    tag="messaging",
    query={"q": {"type": "string", "maxLength": 100}, "category": {"type": "string"}, "page": {"type": "integer"}},
)
def message_record_api():
    query = ops.search_messages(request.args.get("q", "")[:100], choice_arg("category", CATEGORIES) or "")
    return RecordListSchema().dump(paginate(query))


@api_bp.get("/deliveries")
@doc(
    "E-mail and SMS deliveries waiting or failed (status=pending|failed|sent), newest first",
    response_schema=DeliveryListSchema,
    tag="messaging",
    query={"status": {"type": "string", "enum": ["pending", "failed", "sent"]}},
)
def list_deliveries_api():
    status = choice_arg("status", ("pending", "failed", "sent")) or "failed"
    query = sa.select(Delivery).where(Delivery.status == status).order_by(Delivery.id.desc()).limit(200)
    return {"items": DeliverySchema(many=True).dump(db.session.scalars(query))}


@api_bp.post("/deliveries/<int:delivery_id>/retry")
@doc("Operator: retry a delivery now", response_schema=DeliverySchema, tag="messaging")
def retry_delivery_api(delivery_id: int):
    delivery = retry(delivery_id)
    if delivery is None:
        raise NotFound()
    return DeliverySchema().dump(delivery)

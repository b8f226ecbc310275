"""Inbox API (S8)."""

from flask_login import current_user
from marshmallow import Schema, fields

from app.core.errors import NotFound
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.messaging.models import Message
from app.modules.messaging.operations import inbox_query
from app.web.api import api_bp, doc


class MessageSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    sender_unit = fields.String()
    subject = fields.String()
    body = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


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

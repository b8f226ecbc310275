from marshmallow import Schema, fields, validate

from app.core.enums import WorkOrderStatus, WorkOrderTag
from app.core.schema_fields import ZonedDateTime
from app.modules.accounts.schemas import StrictSchema, id_field


class WorkOrderEntrySchema(Schema):
    kind = fields.String()
    body = fields.String()
    author = fields.Function(lambda e: e.author.display_name)
    at = ZonedDateTime()


class WorkOrderSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    channel_id = fields.Integer()
    channel_name = fields.Function(lambda w: w.channel.name)
    organisation_id = fields.Integer()
    subject = fields.String()
    description = fields.String()
    status = fields.String()
    tags = fields.List(fields.String())
    assignee_id = fields.Integer(allow_none=True)
    created_at = ZonedDateTime()
    assigned_at = ZonedDateTime(allow_none=True)
    first_answered_at = ZonedDateTime(allow_none=True)
    closed_at = ZonedDateTime(allow_none=True)


class WorkOrderSchema(WorkOrderSummarySchema):
    entries = fields.List(fields.Nested(WorkOrderEntrySchema))


class WorkOrderListSchema(Schema):
    items = fields.List(fields.Nested(WorkOrderSummarySchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class WorkOrderInSchema(StrictSchema):
    channel_id = id_field(required=True)
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class TextInSchema(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class AssignInSchema(StrictSchema):
    assignee_id = id_field(required=True)


class TagsInSchema(StrictSchema):
    tags = fields.List(fields.String(validate=validate.OneOf([t.value for t in WorkOrderTag])), required=True)


class CloseInSchema(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ResponseFiguresSchema(Schema):
    total = fields.Integer()
    open = fields.Integer()
    answered = fields.Integer()
    median_first_response_h = fields.Float(allow_none=True)
    mean_first_response_h = fields.Float(allow_none=True)
    median_to_close_h = fields.Float(allow_none=True)
    within_target = fields.Float(allow_none=True)
    target_h = fields.Integer()
    overdue = fields.Integer()


STATUS_QUERY = {"type": "string", "enum": [s.value for s in WorkOrderStatus]}
TAG_QUERY = {"type": "string", "enum": [t.value for t in WorkOrderTag]}

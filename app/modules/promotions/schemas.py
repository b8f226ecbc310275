from marshmallow import Schema, fields, validate

from app.core.schema_fields import ZonedDateTime
from app.modules.accounts.schemas import StrictSchema, id_field
from app.modules.promotions.operations import may_start


class PromotionSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    channel_name = fields.Function(lambda p: p.channel.name)
    title = fields.String()
    description = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    uses_hrss_wording = fields.Boolean()
    wording = fields.String()
    status = fields.String()
    may_start = fields.Function(may_start)
    review_unit = fields.String()
    review_opinion = fields.String()
    reviewed_at = ZonedDateTime(allow_none=True)
    result_form = fields.String()
    result_summary = fields.String()
    participants = fields.Integer(allow_none=True)
    reported_at = ZonedDateTime(allow_none=True)
    filed_at = ZonedDateTime()


class PromotionListSchema(Schema):
    items = fields.List(fields.Nested(PromotionSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class PromotionInSchema(StrictSchema):
    channel_id = id_field(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    uses_hrss_wording = fields.Boolean(load_default=False)
    wording = fields.String(load_default="", validate=validate.Length(max=2000))


class PromotionReviewInSchema(StrictSchema):
    approve = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=2000))


class PromotionReportInSchema(StrictSchema):
    result_form = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    result_summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    participants = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10**12))

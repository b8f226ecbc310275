from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.enums import ChannelCategory, NoticeKind
from app.core.schema_fields import ZonedDateTime
from app.modules.accounts.schemas import StrictSchema, id_field

KINDS = [k.value for k in NoticeKind]


class RecipientSchema(Schema):
    channel_id = fields.Integer()
    channel_name = fields.Function(lambda r: r.channel.name)
    organisation_id = fields.Integer()
    organisation_name = fields.Function(lambda r: r.organisation.name)
    acknowledged_at = ZonedDateTime(allow_none=True)
    reminded_at = ZonedDateTime(allow_none=True)


class NoticeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    starts_at = ZonedDateTime(allow_none=True)
    ends_at = ZonedDateTime(allow_none=True)
    categories = fields.List(fields.String())
    region_codes = fields.List(fields.String())
    levels = fields.List(fields.Integer())
    published_at = ZonedDateTime()


class NoticeDetailSchema(NoticeSchema):
    recipients = fields.List(fields.Nested(RecipientSchema))


class NoticeListSchema(Schema):
    items = fields.List(fields.Nested(NoticeSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class _Period(StrictSchema):
    @validates_schema
    def _ends_after_start(self, data, **_kw):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class NoticeInSchema(_Period):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": "ISO 8601 with zone"})
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True)
    categories = fields.List(
        fields.String(validate=validate.OneOf([c.value for c in ChannelCategory])), load_default=list
    )
    region_codes = fields.List(fields.String(validate=validate.Regexp(r"^\d{6}$")), load_default=list)
    levels = fields.List(fields.Integer(validate=validate.OneOf([1, 2])), load_default=list)


class AcknowledgeInSchema(StrictSchema):
    channel_id = id_field(required=True)


class ChannelNoticeSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    channel_name = fields.Function(lambda n: n.channel.name)
    kind = fields.String()
    starts_at = ZonedDateTime()
    ends_at = ZonedDateTime(allow_none=True)
    description = fields.String()
    filed_at = ZonedDateTime()


class ChannelNoticeListSchema(Schema):
    items = fields.List(fields.Nested(ChannelNoticeSchema))


class ChannelNoticeInSchema(_Period):
    channel_id = id_field(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["maintenance", "suspension", "restoration"]))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with zone; in the future"})
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReminderResultSchema(Schema):
    reminders = fields.Integer()

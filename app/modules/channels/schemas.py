from marshmallow import Schema, fields, validate

from app.core.enums import ChannelCategory, ServiceKind
from app.core.schema_fields import ZonedDateTime
from app.modules.accounts.schemas import StrictSchema


class ServiceSchema(Schema):
    code = fields.String()
    kind = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    description = fields.String()
    allowed_categories = fields.List(fields.String())
    active = fields.Boolean()
    sort_order = fields.Integer()


class ServiceListSchema(Schema):
    items = fields.List(fields.Nested(ServiceSchema))


_CATEGORIES = fields.List(fields.String(validate=validate.OneOf([c.value for c in ChannelCategory])))


class ServiceUpdateSchema(StrictSchema):
    name_zh = fields.String(validate=validate.Length(min=1, max=100))
    name_en = fields.String(validate=validate.Length(min=1, max=100))
    description = fields.String(validate=validate.Length(max=2000))
    allowed_categories = _CATEGORIES
    active = fields.Boolean()
    sort_order = fields.Integer(validate=validate.Range(min=0, max=10000))


class ServiceInSchema(ServiceUpdateSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,47}$"))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ServiceKind]))
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=100))


class RegionRefSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class KeySummarySchema(Schema):
    key_id = fields.String()
    environment = fields.String()
    algorithm = fields.String()
    fingerprint = fields.String()
    status = fields.String()
    issued_at = ZonedDateTime()


class ChannelSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    form = fields.String()
    category = fields.String()
    level = fields.Integer()
    access_mode = fields.String()
    owner_id = fields.Integer()
    owner_name = fields.Function(lambda c: c.owner.name)
    parent_id = fields.Integer(allow_none=True)
    same_subject = fields.Boolean(allow_none=True)
    platform_capability = fields.Boolean()
    status = fields.String()
    channel_number = fields.String(allow_none=True)
    regions = fields.List(fields.Nested(RegionRefSchema))
    services = fields.Function(lambda c: [s.code for s in c.services])
    keys = fields.List(fields.Nested(KeySummarySchema))
    live_since = fields.Date(allow_none=True)
    contact_name = fields.String()
    contact_phone = fields.String()
    contact_email = fields.String()


class ContactInSchema(StrictSchema):
    """C4.2: the channel's contact person and details (phone and e-mail validated, S3)."""

    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=32))
    contact_email = fields.String(load_default="", validate=validate.Length(max=200))


class ContactChangeSchema(Schema):
    before = fields.Dict()
    after = fields.Dict()
    changed_by_id = fields.Integer()
    changed_at = ZonedDateTime()


class ContactChangeListSchema(Schema):
    items = fields.List(fields.Nested(ContactChangeSchema))


class ChannelListSchema(Schema):
    items = fields.List(fields.Nested(ChannelSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()

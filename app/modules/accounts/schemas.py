"""Account schemas. Input schemas refuse unknown fields; nothing sets role bindings implicitly."""

from marshmallow import RAISE, Schema, fields, validate

from app.core.enums import ChannelCategory, Role
from app.core.i18n import localized
from app.core.schema_fields import ZonedDateTime


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


MAX_ID = 2**31 - 1


def id_field(**kwargs) -> fields.Integer:
    """A row id: 1 … 2^31-1, so that no input reaches the database as an out-of-range integer."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class TokenRequestSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    otp = fields.String(load_default="", validate=validate.Length(max=6), metadata={"description": "staff: TOTP code"})


class TotpEnrolmentSchema(Schema):
    secret = fields.String(metadata={"description": "base32 TOTP secret, shown once"})
    otpauth_uri = fields.String(metadata={"description": "otpauth://totp/… for a QR code"})


class TokenSchema(Schema):
    token = fields.String()
    token_type = fields.String()
    expires_in_days = fields.Integer()


class OrganisationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    registered_address = fields.String()
    registration_date = fields.Date(allow_none=True)
    category = fields.Function(
        lambda o: o.category.value, metadata={"description": "C1.2: the owner's kind; its channels take this category"}
    )
    category_title = fields.Function(lambda o: localized((o.category.title_zh, o.category.title_en)))


CATEGORIES = [c.value for c in ChannelCategory]


class OrganisationInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    uscc = fields.String(required=True, validate=validate.Length(equal=18))
    registered_address = fields.String(load_default="", validate=validate.Length(max=300))
    registration_date = fields.Date(load_default=None, allow_none=True)
    category = fields.String(
        required=True,
        validate=validate.OneOf(CATEGORIES),
        metadata={"description": "C1.2: the kind checked against the licence (S3); decides its channels' category"},
    )


class OrganisationCategoryInSchema(StrictSchema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(allow_none=True, metadata={"description": "null: role withdrawn (S2)"})
    organisation_id = fields.Integer(allow_none=True)
    region_code = fields.String(allow_none=True)
    email = fields.String()
    phone = fields.String()
    active = fields.Boolean()
    locked = fields.Boolean()
    totp_enabled = fields.Boolean()


class UserInSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    organisation_id = id_field(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=6))
    email = fields.String(load_default="", validate=validate.Length(max=200))
    phone = fields.String(load_default="", validate=validate.Length(max=32))


class GrantInSchema(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    organisation_id = id_field(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{6}$"))


class WithdrawInSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class GrantSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    region_code = fields.String(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    granted_by_id = fields.Integer(allow_none=True)
    granted_at = ZonedDateTime()
    withdrawn_by_id = fields.Integer(allow_none=True)
    withdrawn_at = ZonedDateTime(allow_none=True)
    reason = fields.String()


class GrantListSchema(Schema):
    items = fields.List(fields.Nested(GrantSchema))


class PasswordInSchema(StrictSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class LoginLogSchema(Schema):
    id = fields.Integer()
    at = ZonedDateTime()
    username = fields.String()
    user_id = fields.Integer(allow_none=True)
    ip = fields.String(allow_none=True)
    success = fields.Boolean()
    reason = fields.String()


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))


class OrganisationListSchema(Schema):
    items = fields.List(fields.Nested(OrganisationSchema))


class LoginLogListSchema(Schema):
    items = fields.List(fields.Nested(LoginLogSchema))


class ActiveInSchema(StrictSchema):
    active = fields.Boolean(required=True)

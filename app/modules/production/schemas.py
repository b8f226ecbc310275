"""Production-intake API schemas (C2.8, C2.9, C7.3)."""

from marshmallow import Schema, fields, validate

from app.core.schema_fields import ZonedDateTime
from app.modules.accounts.schemas import StrictSchema, id_field
from app.modules.applications.schemas import ApplicationDetailSchema, ProblemSchema
from app.modules.production.models import CHECKLIST


class ProductionInSchema(StrictSchema):
    """Form 3's header: contact (S3 checks) and the security test report chosen (C2.7)."""

    contact_name = fields.String(validate=validate.Length(max=64))
    contact_phone = fields.String(validate=validate.Length(max=32))
    contact_email = fields.String(validate=validate.Length(max=200))
    fill_date = fields.Date()
    security_report_id = id_field(allow_none=True)


class RecordingSchema(Schema):
    platform = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = ZonedDateTime()
    checked_steps = fields.List(fields.String(), metadata={"description": f"ticked of: {', '.join(CHECKLIST)}"})
    fully_checked = fields.Boolean()


class ProductionExtrasSchema(Schema):
    channel_id = fields.Integer()
    security_report_id = fields.Integer(allow_none=True)
    report_reviewed_at = ZonedDateTime(allow_none=True)
    recordings = fields.Dict(keys=fields.String(), values=fields.Nested(RecordingSchema))
    submission_problems = fields.List(fields.Nested(ProblemSchema))
    go_live_problems = fields.List(fields.Nested(ProblemSchema))


class ProductionDetailSchema(ApplicationDetailSchema, ProductionExtrasSchema):
    """An application (as /applications/{id}) with the production-intake parts."""


class ChecklistInSchema(StrictSchema):
    steps = fields.List(fields.String(validate=validate.OneOf(list(CHECKLIST))), required=True)


class ReportReviewInSchema(StrictSchema):
    reviewed = fields.Boolean(required=True)


class VerificationInSchema(StrictSchema):
    """The operator's box of Form 3 (C2.10 fields)."""

    approve = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=4000))
    contact = fields.String(required=True, validate=validate.Length(max=64))
    phone = fields.String(required=True, validate=validate.Length(max=32))

"""Security-testing API: the institution register (C5.4), reports (C5.3), major-change declarations."""

import sqlalchemy as sa
from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.errors import NotFound, RuleViolation
from app.core.http.api import api_bp, doc, load_body, load_form
from app.core.http.downloads import send_stored_file
from app.core.jurisdiction import get_channel
from app.core.schema_fields import ZonedDateTime
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.schemas import StrictSchema, id_field
from app.modules.security_tests import operations as ops
from app.modules.security_tests.models import QUALIFICATIONS, Institution, SpotCheck
from app.modules.security_tests.rules import is_current, missing_qualifications


class QualificationSchema(Schema):
    kind = fields.String()
    certificate_number = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date()


class InstitutionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    qualifications = fields.List(fields.Nested(QualificationSchema))
    missing_today = fields.Function(lambda i: missing_qualifications(i.qualifications, today()))


class InstitutionListSchema(Schema):
    items = fields.List(fields.Nested(InstitutionSchema))


class InstitutionInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class QualificationInSchema(StrictSchema):
    certificate_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)


class ReportInSchema(StrictSchema):
    """multipart/form-data: these fields and `file` (PDF)."""

    multipart = True
    institution_id = id_field(required=True)
    test_date = fields.Date(required=True)
    version_tested = fields.String(required=True, validate=validate.Length(min=1, max=64))
    covers_spec = fields.Boolean(required=True)
    result = fields.String(required=True, validate=validate.OneOf(["pass", "fail"]))
    findings = fields.String(load_default="", validate=validate.Length(max=8000))
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class ReportSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    institution_id = fields.Integer()
    institution_name = fields.Function(lambda r: r.institution.name)
    test_date = fields.Date()
    version_tested = fields.String()
    covers_spec = fields.Boolean()
    result = fields.String()
    findings = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    uploaded_at = ZonedDateTime()
    current = fields.Function(lambda r: is_current(r, today(), r.channel.major_change_on))


class ReportListSchema(Schema):
    items = fields.List(fields.Nested(ReportSchema))


class MajorChangeInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["upgrade", "policy"]))
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))


def _institution(institution_id: int) -> Institution:
    institution = db.session.get(Institution, institution_id)
    if institution is None:
        raise NotFound()
    return institution


@api_bp.get("/institutions")
@doc(
    "The register of testing institutions and their qualifications (C5.4)",
    response_schema=InstitutionListSchema,
    tag="security_tests",
)
def list_institutions():
    items = db.session.scalars(sa.select(Institution).order_by(Institution.name)).all()
    return {"items": InstitutionSchema(many=True).dump(items)}


@api_bp.post("/institutions")
@doc(
    "Register a testing institution (operator)",
    request_schema=InstitutionInSchema,
    response_schema=InstitutionSchema,
    tag="security_tests",
    status=201,
)
def create_institution():
    return InstitutionSchema().dump(ops.create_institution(current_user, load_body(InstitutionInSchema())["name"])), 201


@api_bp.put("/institutions/<int:institution_id>/qualifications/<kind>")
@doc(
    f"Record a qualification: one of {', '.join(QUALIFICATIONS)} (C5.4)",
    request_schema=QualificationInSchema,
    response_schema=InstitutionSchema,
    tag="security_tests",
)
def set_qualification(institution_id: int, kind: str):
    institution = _institution(institution_id)
    data = load_body(QualificationInSchema())
    ops.set_qualification(
        current_user, institution, kind, data["certificate_number"], data["valid_from"], data["valid_until"]
    )
    return InstitutionSchema().dump(institution)


@api_bp.get("/channels/<int:channel_id>/security-reports")
@doc(
    "A channel's security test reports, newest first, with whether each is current (C5.3)",
    response_schema=ReportListSchema,
    tag="security_tests",
)
def list_reports(channel_id: int):
    return {"items": ReportSchema(many=True).dump(ops.reports_of(get_channel(current_user, channel_id)))}


@api_bp.post("/channels/<int:channel_id>/security-reports")
@doc(
    "File a security test report (multipart; PDF); the institution must hold all four qualifications on the test "
    "date (C5.4) and the report must be less than a year old (C5.3)",
    request_schema=ReportInSchema,
    response_schema=ReportSchema,
    tag="security_tests",
    status=201,
)
def submit_report(channel_id: int):
    channel = get_channel(current_user, channel_id)
    upload = request.files.get("file")
    if upload is None:
        raise RuleViolation("请选择报告文件", "Choose the report file", fields={"file": ["required"]})
    data = load_form(ReportInSchema())
    report = ops.submit_report(current_user, channel, data, upload.stream, upload.filename)
    return ReportSchema().dump(report), 201


@api_bp.get("/channels/<int:channel_id>/security-reports/<int:report_id>/file")
@doc(
    "Download a report (the original PDF; 404 for imported facts without one)",
    tag="security_tests",
    produces=("application/pdf",),
)
def download_report(channel_id: int, report_id: int):
    report = ops.get_report(get_channel(current_user, channel_id), report_id)
    return send_stored_file(report.stored_name, report.filename, "application/pdf")


@api_bp.post("/channels/<int:channel_id>/major-change")
@doc(
    "Declare a major upgrade or security-policy change: a new security test is then required (C5.3)",
    request_schema=MajorChangeInSchema,
    tag="security_tests",
)
def declare_major_change(channel_id: int):
    channel = get_channel(current_user, channel_id)
    data = load_body(MajorChangeInSchema())
    ops.declare_major_change(current_user, channel, data["kind"], data["description"])
    return {"channel_id": channel.id, "major_change_on": channel.major_change_on.isoformat()}


class SpotCheckInSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    is_retest = fields.Boolean(load_default=False)


class SpotCheckResultInSchema(StrictSchema):
    result = fields.String(required=True, validate=validate.OneOf(["pass", "fail"]))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class SpotCheckSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    reason = fields.String()
    is_retest = fields.Boolean()
    ordered_at = ZonedDateTime()
    result = fields.String()
    notes = fields.String()
    recorded_at = ZonedDateTime(allow_none=True)
    channel_status = fields.Function(lambda c: str(c.channel.status))


@api_bp.post("/channels/<int:channel_id>/spot-checks")
@doc(
    "Operator: order a spot check of a channel's security (C5.3)",
    request_schema=SpotCheckInSchema,
    response_schema=SpotCheckSchema,
    tag="security_tests",
    status=201,
)
def order_spot_check(channel_id: int):
    channel = get_channel(current_user, channel_id)
    data = load_body(SpotCheckInSchema())
    return SpotCheckSchema().dump(ops.order_spot_check(current_user, channel, data["reason"], data["is_retest"])), 201


@api_bp.post("/spot-checks/<int:check_id>/result")
@doc(
    "Operator: record a spot check's result; a failed re-test suspends a live channel until a passing report is "
    "accepted (C5.3)",
    request_schema=SpotCheckResultInSchema,
    response_schema=SpotCheckSchema,
    tag="security_tests",
)
def record_spot_check(check_id: int):
    check = db.session.get(SpotCheck, check_id)
    if check is None:
        raise NotFound()
    get_channel(current_user, check.channel_id)
    data = load_body(SpotCheckResultInSchema())
    return SpotCheckSchema().dump(ops.record_spot_check(current_user, check, data["result"], data["notes"]))

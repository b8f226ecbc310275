"""Exit API (C6.1–C6.6) and the deletion certificate (C6.5)."""

import sqlalchemy as sa
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import paginate
from app.core.schema_fields import ZonedDateTime
from app.extensions import db
from app.modules.accounts.schemas import StrictSchema, id_field
from app.modules.exits import operations as ops
from app.modules.exits.models import CAUSES, DeletionCertificate, Exit


class ExitOpinionSchema(Schema):
    province_code = fields.String()
    agree = fields.Boolean(allow_none=True)
    opinion = fields.String()
    decided_at = ZonedDateTime(allow_none=True)


class DeletionCertificateSchema(Schema):
    started_at = ZonedDateTime()
    completed_at = ZonedDateTime(allow_none=True)
    steps = fields.Dict()
    sha256 = fields.String()


class ExitSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    channel_id = fields.Integer()
    kind = fields.String()
    cause = fields.String(allow_none=True)
    reason = fields.String()
    requested_date = fields.Date(allow_none=True)
    status = fields.String()
    national_opinion = fields.String()
    national_decided_at = ZonedDateTime(allow_none=True)
    transition_start = fields.Date(allow_none=True)
    transition_end = fields.Date(allow_none=True)
    push_notice_confirmed_at = ZonedDateTime(allow_none=True)
    announcement_url = fields.String()
    announcement_start = fields.Date(allow_none=True)
    announcement_end = fields.Date(allow_none=True)
    completed_at = ZonedDateTime(allow_none=True)
    opinions = fields.List(fields.Nested(ExitOpinionSchema))
    certificate = fields.Method("_certificate")

    def _certificate(self, exit_):
        found = db.session.scalar(sa.select(DeletionCertificate).where(DeletionCertificate.exit_id == exit_.id))
        return DeletionCertificateSchema().dump(found) if found else None


class ExitListSchema(Schema):
    items = fields.List(fields.Nested(ExitSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class ExitInSchema(StrictSchema):
    channel_id = id_field(required=True)
    requested_date = fields.Date(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=5000))


class ForcedExitInSchema(StrictSchema):
    channel_id = id_field(required=True)
    cause = fields.String(required=True, validate=validate.OneOf([c for c in CAUSES if c != "parent_exit"]))
    evidence = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ExitOpinionInSchema(StrictSchema):
    agree = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=2000))


class ExitAnnouncementInSchema(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=500))
    start = fields.Date(required=True)
    end = fields.Date(required=True)


@api_bp.get("/exits")
@doc("Exits the caller sees", response_schema=ExitListSchema, tag="exits", query={"page": {"type": "integer"}})
def list_exits_api():
    return paginate(ops.visible_exits(current_user).order_by(Exit.id.desc())).as_dict(ExitSchema(many=True))


@api_bp.post("/exits")
@doc(
    "Owner (a level-2 channel: its level-1 owner): apply for a voluntary exit at least two months ahead (C6.1, C6.6)",
    request_schema=ExitInSchema,
    response_schema=ExitSchema,
    tag="exits",
    status=201,
)
def apply_exit_api():
    data = load_body(ExitInSchema())
    return ExitSchema().dump(
        ops.apply_exit(current_user, data["channel_id"], data["requested_date"], data["reason"])
    ), 201


@api_bp.post("/exits/forced")
@doc(
    "Operator: open a forced exit for one of the C6.4 causes, with evidence",
    request_schema=ForcedExitInSchema,
    response_schema=ExitSchema,
    tag="exits",
    status=201,
)
def forced_exit_api():
    data = load_body(ForcedExitInSchema())
    return ExitSchema().dump(
        ops.open_forced_exit(current_user, data["channel_id"], data["cause"], data["evidence"])
    ), 201


@api_bp.get("/exits/<int:exit_id>")
@doc("One exit with opinions and its deletion certificate", response_schema=ExitSchema, tag="exits")
def get_exit_api(exit_id: int):
    return ExitSchema().dump(ops.get_exit(current_user, exit_id))


@api_bp.post("/exits/<int:exit_id>/opinion")
@doc(
    "Provincial center: opinion on a voluntary exit (C6.2)",
    request_schema=ExitOpinionInSchema,
    response_schema=ExitOpinionSchema,
    tag="exits",
)
def exit_opinion_api(exit_id: int):
    data = load_body(ExitOpinionInSchema())
    return ExitOpinionSchema().dump(ops.give_opinion(current_user, exit_id, data["agree"], data["opinion"]))


@api_bp.post("/exits/<int:exit_id>/decision")
@doc(
    "National center: decide after every provincial opinion (C6.2)",
    request_schema=ExitOpinionInSchema,
    response_schema=ExitSchema,
    tag="exits",
)
def exit_decision_api(exit_id: int):
    data = load_body(ExitOpinionInSchema())
    return ExitSchema().dump(ops.national_decide(current_user, exit_id, data["agree"], data["opinion"]))


@api_bp.post("/exits/<int:exit_id>/notify")
@doc("Operator: notify the channel; the one-month transition starts (C6.2)", response_schema=ExitSchema, tag="exits")
def notify_exit_api(exit_id: int):
    return ExitSchema().dump(ops.notify(current_user, exit_id))


@api_bp.post("/exits/<int:exit_id>/push-notice")
@doc("Owner: confirm the push notice to existing users (C6.3)", response_schema=ExitSchema, tag="exits")
def push_notice_api(exit_id: int):
    return ExitSchema().dump(ops.confirm_push_notice(current_user, exit_id))


@api_bp.post("/exits/<int:exit_id>/announcement")
@doc(
    "Owner: the public announcement, at least 15 days (C6.3)",
    request_schema=ExitAnnouncementInSchema,
    response_schema=ExitSchema,
    tag="exits",
)
def announcement_api(exit_id: int):
    data = load_body(ExitAnnouncementInSchema())
    return ExitSchema().dump(ops.record_announcement(current_user, exit_id, data["url"], data["start"], data["end"]))

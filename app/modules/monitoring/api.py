"""Statistics API: the channel-facing monthly report (C2.1 signed, C3.6) and the figures of a channel for staff and
its owner."""

from flask import g
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.jurisdiction import get_channel
from app.modules.accounts.schemas import StrictSchema
from app.modules.gateway.check import channel_signed
from app.modules.monitoring import operations as ops
from app.web.api import api_bp, doc, load_body

MAX_COUNT = 10**12


class FiguresInSchema(StrictSchema):
    channel_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    new_issuance = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_COUNT))
    cumulative_issuance = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_COUNT))
    monthly_active_users = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_COUNT))


class MonthlyReportInSchema(StrictSchema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    items = fields.List(fields.Nested(FiguresInSchema), required=True, validate=validate.Length(min=1, max=1000))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class StatisticSchema(Schema):
    channel_id = fields.Integer()
    channel_number = fields.Function(lambda s: s.channel.channel_number)
    month = fields.Function(lambda s: s.month.strftime("%Y-%m"))
    version = fields.Integer()
    new_issuance = fields.Integer()
    cumulative_issuance = fields.Integer()
    monthly_active_users = fields.Integer()
    source = fields.String()
    reason = fields.String()
    created_at = fields.DateTime()


class MonthlyReportSchema(Schema):
    month = fields.String()
    created = fields.List(fields.Nested(StatisticSchema))
    corrected = fields.List(fields.Nested(StatisticSchema))
    unchanged = fields.List(fields.Nested(StatisticSchema))


class StatisticListSchema(Schema):
    items = fields.List(fields.Nested(StatisticSchema))


@api_bp.post("/channel/statistics")
@doc(
    "Channel (signed, production key, live): report a finished month's new issuance, cumulative issuance and monthly "
    "active users for this channel and its level-2 channels (C3.6). All items valid or nothing is recorded; a month "
    "already reported changes only with a `reason` and becomes a new version.",
    request_schema=MonthlyReportInSchema,
    response_schema=MonthlyReportSchema,
    tag="gateway",
    public=True,
)
@channel_signed()
def report_statistics():
    key = g.channel_key
    data = load_body(MonthlyReportInSchema())
    outcome = ops.report_month(key.channel, data["month"], data["items"], data["reason"], source="gateway", key=key)
    body = {"month": data["month"], **outcome.__dict__}
    return MonthlyReportSchema().dump(body), 201 if outcome.created or outcome.corrected else 200


@api_bp.get("/channels/<int:channel_id>/statistics")
@doc(
    "A channel's monthly figures, every version, newest month first",
    response_schema=StatisticListSchema,
    tag="monitoring",
)
def list_statistics(channel_id: int):
    return {"items": StatisticSchema(many=True).dump(ops.statistics_of(get_channel(current_user, channel_id)))}

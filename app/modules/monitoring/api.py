"""Statistics API: the channel-facing monthly report (C2.1 signed, C3.6) and the figures of a channel for staff and
its owner."""

from flask import Response, request, stream_with_context
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.enums import ChannelCategory
from app.core.http.api import api_bp, doc, load_body
from app.core.jurisdiction import get_channel
from app.core.permissions import P, may
from app.core.schema_fields import ZonedDateTime
from app.core.timeutil import today
from app.extensions import db
from app.modules.accounts.schemas import StrictSchema
from app.modules.agreements import renewal as renewals
from app.modules.channels.rules import unit_channel_id
from app.modules.gateway.check import channel_signed, signed_key
from app.modules.monitoring import imports, improvement, overview
from app.modules.monitoring import operations as ops
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.rules import evaluable_month

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
    created_at = ZonedDateTime()


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
    key = signed_key()
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


# Monitoring (C4.7–C4.11) ------------------------------------------------------------------------------------------


class MonitoringEventSchema(Schema):
    at = ZonedDateTime()
    status = fields.String()
    reason = fields.String()


class MonitoringRecordSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    kind = fields.String()
    rule = fields.String()
    month = fields.Function(lambda r: r.month.strftime("%Y-%m"))
    months = fields.List(fields.String())
    figures = fields.Dict()
    status = fields.String()
    period_ends = fields.Function(lambda r: r.period_ends.strftime("%Y-%m") if r.period_ends else None)
    notice_id = fields.Integer(allow_none=True)
    events = fields.List(fields.Nested(MonitoringEventSchema))


class MonthlyPointSchema(Schema):
    month = fields.String()
    new_issuance = fields.Integer()
    cumulative_issuance = fields.Integer()
    monthly_active_users = fields.Integer()
    issuance_threshold = fields.Float()
    mau_threshold = fields.Float()


class ImprovementPlanSchema(Schema):
    id = fields.Integer()
    channel_id = fields.Integer()
    body = fields.String()
    status = fields.String()
    filed_at = ZonedDateTime()
    decided_at = ZonedDateTime(allow_none=True)
    opinion = fields.String()


class AgreementRenewalSchema(Schema):
    term_end = fields.Date()
    outcome = fields.String()
    new_term_end = fields.Date(allow_none=True)
    reason = fields.String()
    objection = fields.String()
    decided_at = ZonedDateTime(allow_none=True)


class ChannelMonitoringSchema(Schema):
    channel_id = fields.Integer()
    unit_channel_id = fields.Integer()
    series = fields.List(fields.Nested(MonthlyPointSchema))
    records = fields.List(fields.Nested(MonitoringRecordSchema))
    plans = fields.List(fields.Nested(ImprovementPlanSchema))
    renewals = fields.List(fields.Nested(AgreementRenewalSchema))


class MonitoringOverviewItemSchema(Schema):
    channel_id = fields.Function(lambda r: r.channel.id)
    channel_number = fields.Function(lambda r: r.channel.channel_number)
    name = fields.Function(lambda r: r.channel.name)
    category = fields.Function(lambda r: str(r.channel.category))
    improving = fields.Boolean()
    alerted = fields.Boolean()
    missing = fields.Boolean()


class MonitoringOverviewSchema(Schema):
    items = fields.List(fields.Nested(MonitoringOverviewItemSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class EvaluationInSchema(StrictSchema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    dry_run = fields.Boolean(load_default=False)


class EvaluationSchema(Schema):
    month = fields.String()
    dry_run = fields.Boolean()
    units = fields.Integer()
    notices = fields.Integer()
    alerts = fields.Integer()
    statements = fields.Integer()
    new = fields.List(fields.Dict())
    changes = fields.List(fields.Dict())


class ImportResultSchema(Schema):
    created = fields.Integer()
    corrected = fields.Integer()
    unchanged = fields.Integer()
    channels = fields.Integer()


class PlanInSchema(StrictSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))


class PlanDecisionInSchema(StrictSchema):
    approve = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=2000))


class ObjectionInSchema(StrictSchema):
    objection = fields.String(required=True, validate=validate.Length(min=1, max=2000))


OVERVIEW_QUERY = {
    "region": {"type": "string", "pattern": r"^\d{6}$"},
    "category": {"type": "string", "enum": [c.value for c in ChannelCategory]},
    "state": {"type": "string", "enum": list(overview.STATES)},
}
PAGE_QUERY = {"page": {"type": "integer"}, "per_page": {"type": "integer"}}


@api_bp.get("/monitoring/overview")
@doc(
    "Channels in an improvement period, alerted or missing reports, by region, category and state (C4.7)",
    response_schema=MonitoringOverviewSchema,
    tag="monitoring",
    query=OVERVIEW_QUERY | PAGE_QUERY,
)
def monitoring_overview_api():
    return overview.overview(**overview.filters(request.args)).as_dict(MonitoringOverviewItemSchema(many=True))


@api_bp.get("/monitoring/overview.csv")
@doc(
    "The overview as CSV: a separate permission, every export logged (S5)",
    tag="monitoring",
    query=OVERVIEW_QUERY,
    produces=("text/csv",),
)
def export_overview_api():
    return Response(
        stream_with_context(overview.export_csv(current_user, **overview.filters(request.args))), mimetype="text/csv"
    )


@api_bp.post("/monitoring/evaluations")
@doc(
    "Operator: evaluate every channel for a finished month (C4.9, C4.10); dry_run shows what would fire",
    request_schema=EvaluationInSchema,
    response_schema=EvaluationSchema,
    tag="monitoring",
)
def run_evaluation_api():
    data = load_body(EvaluationInSchema())
    month = evaluable_month(data["month"], today())
    outcome = evaluate(month, dry_run=data["dry_run"], trigger="operator")
    if data["dry_run"]:
        db.session.rollback()
    else:
        db.session.commit()
    return EvaluationSchema().dump(
        outcome.__dict__
        | {"month": data["month"], "dry_run": data["dry_run"], "notices": outcome.notices, "alerts": outcome.alerts}
    )


@api_bp.get("/channels/<int:channel_id>/monitoring")
@doc(
    "A channel's figures with the C4.9 thresholds, its unit's notices and alerts, plans and renewals (C4.7)",
    response_schema=ChannelMonitoringSchema,
    tag="monitoring",
)
def channel_monitoring_api(channel_id: int):
    channel = get_channel(current_user, channel_id)
    return ChannelMonitoringSchema().dump(
        {
            "channel_id": channel.id,
            "unit_channel_id": unit_channel_id(channel),
            "series": overview.series_of(channel),
            "records": overview.records_of(channel),
            "plans": improvement.plans_of(channel),
            "renewals": renewals.renewals_of(channel),
        }
    )


@api_bp.post("/statistics/import")
@doc(
    "Upload monthly figures as CSV (the raw body): a company for its channels and its level-1 channels' level-2 "
    "channels, the operator for every channel. All rows or none; every bad row named (line, field, reason).",
    response_schema=ImportResultSchema,
    tag="monitoring",
    raw_body=("text/csv",),
)
def import_statistics_api():
    source = "import" if may(current_user, P.monitoring_manage) else "portal"
    return ImportResultSchema().dump(
        imports.import_statistics(current_user, request.get_data(), source=source).as_dict()
    )


@api_bp.post("/channels/<int:channel_id>/improvement-plans")
@doc(
    "Owner of an alerted channel: file the operational improvement plan (C4.11)",
    request_schema=PlanInSchema,
    response_schema=ImprovementPlanSchema,
    tag="monitoring",
    status=201,
)
def file_plan_api(channel_id: int):
    channel = get_channel(current_user, channel_id)
    return ImprovementPlanSchema().dump(
        improvement.file_plan(current_user, channel.id, load_body(PlanInSchema())["body"])
    ), 201


@api_bp.post("/improvement-plans/<int:plan_id>/decision")
@doc(
    "Operator: approve (the unit's alerts are resolved; renewal allowed) or reject with reasons (C4.11)",
    request_schema=PlanDecisionInSchema,
    response_schema=ImprovementPlanSchema,
    tag="monitoring",
)
def decide_plan_api(plan_id: int):
    data = load_body(PlanDecisionInSchema())
    return ImprovementPlanSchema().dump(
        improvement.decide_plan(current_user, plan_id, data["approve"], data["opinion"])
    )


@api_bp.post("/channels/<int:channel_id>/renewal-objection")
@doc(
    "Operator: object to the automatic renewal of the channel's current agreement term (C4.11)",
    request_schema=ObjectionInSchema,
    response_schema=AgreementRenewalSchema,
    tag="monitoring",
)
def object_to_renewal_api(channel_id: int):
    channel = get_channel(current_user, channel_id)
    objection = load_body(ObjectionInSchema())["objection"]
    return AgreementRenewalSchema().dump(renewals.object_to_renewal(current_user, channel, objection))

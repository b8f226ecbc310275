"""Notice API: platform notices and acknowledgements (C4.3); channels' own maintenance notices (C4.4)."""

from flask import request
from flask_login import current_user

from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import paginate
from app.core.timeutil import from_local
from app.modules.notices import operations as ops
from app.modules.notices import schemas as s
from app.modules.notices.models import PlatformNotice


def _utc(data: dict) -> dict:
    return data | {k: from_local(data.get(k)) for k in ("starts_at", "ends_at")}


@api_bp.get("/notices")
@doc(
    "Platform notices: all for the operator, those sent to its channels for a company (C4.3)",
    response_schema=s.NoticeListSchema,
    tag="notices",
    query={"page": {"type": "integer"}, "per_page": {"type": "integer"}},
)
def list_notices_api():
    query = ops.visible_notices(current_user).order_by(PlatformNotice.id.desc())
    return paginate(query).as_dict(s.NoticeSchema(many=True))


@api_bp.post("/notices")
@doc(
    "Operator: publish a notice to every connected channel or a selection by category, region and level (C4.3)",
    request_schema=s.NoticeInSchema,
    response_schema=s.NoticeDetailSchema,
    tag="notices",
    status=201,
)
def publish_notice_api():
    notice = ops.publish_notice(current_user, _utc(load_body(s.NoticeInSchema())))
    return s.NoticeDetailSchema().dump(notice), 201


@api_bp.get("/notices/<int:notice_id>")
@doc(
    "One notice with its recipients and acknowledgements (a company sees only its own channels); "
    "?unacknowledged=1 lists who has not acknowledged (C4.3)",
    response_schema=s.NoticeDetailSchema,
    tag="notices",
    query={"unacknowledged": {"type": "integer", "enum": [0, 1]}},
)
def get_notice_api(notice_id: int):
    notice = ops.get_notice(current_user, notice_id)
    pending = request.args.get("unacknowledged") == "1"
    return s.NoticeSchema().dump(notice) | {
        "recipients": s.RecipientSchema(many=True).dump(ops.recipients_of(current_user, notice, pending))
    }


@api_bp.post("/notices/<int:notice_id>/acknowledge")
@doc(
    "Owner: acknowledge the notice for one of its channels (C4.3)",
    request_schema=s.AcknowledgeInSchema,
    response_schema=s.RecipientSchema,
    tag="notices",
)
def acknowledge_notice_api(notice_id: int):
    data = load_body(s.AcknowledgeInSchema())
    return s.RecipientSchema().dump(ops.acknowledge(current_user, notice_id, data["channel_id"]))


@api_bp.post("/notices/reminders")
@doc(
    "Operator: send the due reminders now (also a scheduled job; each channel is reminded once) (C4.3)",
    response_schema=s.ReminderResultSchema,
    tag="notices",
)
def send_reminders_api():
    return {"reminders": ops.send_reminders()}


@api_bp.get("/channel-notices")
@doc(
    "Channels' own maintenance, suspension and restoration notices overlapping a month (C4.4): the operator's "
    "calendar, or a company's own",
    response_schema=s.ChannelNoticeListSchema,
    tag="notices",
    query={"month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}},
)
def channel_notices_api():
    start, end = ops.month_bounds(request.args.get("month"))
    return {"items": s.ChannelNoticeSchema(many=True).dump(ops.calendar(current_user, start, end))}


@api_bp.post("/channel-notices")
@doc(
    "Owner: announce a maintenance, suspension or restoration of one of its channels in advance (C4.4)",
    request_schema=s.ChannelNoticeInSchema,
    response_schema=s.ChannelNoticeSchema,
    tag="notices",
    status=201,
)
def file_channel_notice_api():
    data = _utc(load_body(s.ChannelNoticeInSchema()))
    return s.ChannelNoticeSchema().dump(ops.file_channel_notice(current_user, data.pop("channel_id"), data)), 201

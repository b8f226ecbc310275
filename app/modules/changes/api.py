"""Change applications API (C4.1)."""

from flask_login import current_user
from marshmallow import fields, validate

from app.core.http.api import api_bp, doc, load_body
from app.core.jurisdiction import get_application, get_channel
from app.modules.accounts.schemas import StrictSchema
from app.modules.applications.api import detail
from app.modules.applications.schemas import ApplicationDetailSchema
from app.modules.changes import operations as ops


class ChangeInSchema(StrictSchema):
    regions = fields.List(fields.String(validate=validate.Regexp(r"^\d{6}$")), required=True)
    services = fields.List(fields.String(validate=validate.Length(min=1, max=48)), required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ChangeDecisionInSchema(StrictSchema):
    """C2.10 fields of the operator's decision."""

    approve = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=4000))
    contact = fields.String(required=True, validate=validate.Length(min=1, max=64))
    phone = fields.String(required=True, validate=validate.Length(min=1, max=32))


@api_bp.post("/channels/<int:channel_id>/changes")
@doc(
    "Owner of a live channel: apply for the regions and services it should have after the change; submitted into "
    "the review chain at once (C4.1)",
    request_schema=ChangeInSchema,
    response_schema=ApplicationDetailSchema,
    tag="applications",
    status=201,
)
def apply_for_change_api(channel_id: int):
    channel = get_channel(current_user, channel_id)  # 404 outside the tenant before the body is read
    return detail(ops.apply_for_change(current_user, channel.id, load_body(ChangeInSchema()))), 201


@api_bp.post("/change-applications/<int:app_id>/decision")
@doc(
    "Operator: the last step of a change; approval changes the channel's grants from today (C4.1)",
    request_schema=ChangeDecisionInSchema,
    response_schema=ApplicationDetailSchema,
    tag="applications",
)
def decide_change_api(app_id: int):
    app = get_application(current_user, app_id)
    data = load_body(ChangeDecisionInSchema())
    decided = ops.decide_change(current_user, app.id, data["approve"], data["opinion"], data["contact"], data["phone"])
    return detail(decided)

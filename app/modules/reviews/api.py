"""Review API: the reviewer's queue and decisions (C2.6, C2.10)."""

from flask_login import current_user
from marshmallow import fields, validate

from app.core.errors import NotFound
from app.core.http.api import api_bp, doc, load_body
from app.core.jurisdiction import get_application
from app.extensions import db
from app.modules.accounts.schemas import StrictSchema
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.operations import decide_step
from app.modules.reviews.schemas import ReviewStepSchema
from app.modules.reviews.scope import review_queue


class DecisionInSchema(StrictSchema):
    approve = fields.Boolean(required=True)
    opinion = fields.String(load_default="", validate=validate.Length(max=4000))
    contact = fields.String(required=True, validate=validate.Length(min=1, max=64))
    phone = fields.String(required=True, validate=validate.Length(min=1, max=32))
    granted = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[1-9]\d{0,8}$")),
        values=fields.List(fields.String(validate=validate.Regexp(r"^\d{6}$"))),
        load_default=None,
        allow_none=True,
        metadata={"description": "national step only: row id -> granted region codes (C2.3)"},
    )


class QueueItemSchema(ReviewStepSchema):
    application_id = fields.Integer()
    application_number = fields.Function(lambda s: s.application.number)
    applicant_name = fields.Function(lambda s: s.application.applicant.name)


class QueueSchema(StrictSchema):
    items = fields.List(fields.Nested(QueueItemSchema))


@api_bp.get("/reviews/queue")
@doc("Steps waiting for the caller's decision, in their jurisdiction", response_schema=QueueSchema, tag="reviews")
def review_queue_api():
    return {"items": QueueItemSchema(many=True).dump(db.session.scalars(review_queue(current_user)))}


@api_bp.post("/reviews/steps/<int:step_id>/decision")
@doc(
    "Decide a review step: opinion, decision, contact, phone (C2.10)",
    request_schema=DecisionInSchema,
    response_schema=ReviewStepSchema,
    tag="reviews",
)
def decide_api(step_id: int):
    step = db.session.get(ReviewStep, step_id)
    if step is None:
        raise NotFound()
    get_application(current_user, step.application_id)  # 404 outside the jurisdiction, before reading the body
    data = load_body(DecisionInSchema())
    step = decide_step(
        current_user, step_id, data["approve"], data["opinion"], data["contact"], data["phone"], data["granted"]
    )
    return ReviewStepSchema().dump(step)

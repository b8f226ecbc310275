"""Promotion API (C4.5)."""

from flask_login import current_user

from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import paginate
from app.modules.promotions import operations as ops
from app.modules.promotions import schemas as s
from app.modules.promotions.models import Promotion


@api_bp.get("/promotions")
@doc(
    "Promotions the caller sees: own (company), all (operator), those for HR&SS review (reviewers) (C4.5)",
    response_schema=s.PromotionListSchema,
    tag="promotions",
    query={"page": {"type": "integer"}, "per_page": {"type": "integer"}},
)
def list_promotions_api():
    query = ops.visible_promotions(current_user).order_by(Promotion.id.desc())
    return paginate(query).as_dict(s.PromotionSchema(many=True))


@api_bp.post("/promotions")
@doc(
    "Owner: report a promotion of a live channel before it starts; HR&SS wording sends it to HR&SS review (C4.5)",
    request_schema=s.PromotionInSchema,
    response_schema=s.PromotionSchema,
    tag="promotions",
    status=201,
)
def file_promotion_api():
    data = load_body(s.PromotionInSchema())
    return s.PromotionSchema().dump(ops.file_promotion(current_user, data.pop("channel_id"), data)), 201


@api_bp.get("/promotions/<int:promotion_id>")
@doc("One promotion (C4.5)", response_schema=s.PromotionSchema, tag="promotions")
def get_promotion_api(promotion_id: int):
    return s.PromotionSchema().dump(ops.get_promotion(current_user, promotion_id))


@api_bp.post("/promotions/<int:promotion_id>/review")
@doc(
    "HR&SS (provincial or national center): approve or reject the use of HR&SS wording (C4.5)",
    request_schema=s.PromotionReviewInSchema,
    response_schema=s.PromotionSchema,
    tag="promotions",
)
def review_promotion_api(promotion_id: int):
    data = load_body(s.PromotionReviewInSchema())
    return s.PromotionSchema().dump(ops.review_promotion(current_user, promotion_id, data["approve"], data["opinion"]))


@api_bp.post("/promotions/<int:promotion_id>/report")
@doc(
    "Owner: report the form and results once the promotion has started (C4.5)",
    request_schema=s.PromotionReportInSchema,
    response_schema=s.PromotionSchema,
    tag="promotions",
)
def report_promotion_api(promotion_id: int):
    data = load_body(s.PromotionReportInSchema())
    return s.PromotionSchema().dump(ops.report_results(current_user, promotion_id, data))

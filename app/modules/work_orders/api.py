"""Work-order API (C4.6, S13)."""

from flask_login import current_user

from app.core.enums import WorkOrderStatus, WorkOrderTag
from app.core.http.api import api_bp, doc, load_body
from app.core.http.pagination import choice_arg, paginate
from app.modules.work_orders import operations as ops
from app.modules.work_orders import schemas as s


@api_bp.get("/work-orders")
@doc(
    "Work orders the caller sees: a company its own, the operator all (C4.6)",
    response_schema=s.WorkOrderListSchema,
    tag="work-orders",
    query={"status": s.STATUS_QUERY, "tag": s.TAG_QUERY, "page": {"type": "integer"}, "per_page": {"type": "integer"}},
)
def list_work_orders_api():
    return paginate(
        ops.search(current_user, choice_arg("status", WorkOrderStatus), choice_arg("tag", WorkOrderTag))
    ).as_dict(s.WorkOrderSummarySchema(many=True))


@api_bp.post("/work-orders")
@doc(
    "Owner: file a work order for one of its channels; text with a resident ID number is refused (C4.6)",
    request_schema=s.WorkOrderInSchema,
    response_schema=s.WorkOrderSchema,
    tag="work-orders",
    status=201,
)
def file_work_order_api():
    data = load_body(s.WorkOrderInSchema())
    work_order = ops.file_work_order(current_user, data["channel_id"], data["subject"], data["description"])
    return s.WorkOrderSchema().dump(work_order), 201


@api_bp.get("/work-orders/figures")
@doc(
    "Response times of the work orders the caller sees (S13)",
    response_schema=s.ResponseFiguresSchema,
    tag="work-orders",
)
def work_order_figures_api():
    return ops.response_figures(current_user).as_dict()


@api_bp.get("/work-orders/<int:work_order_id>")
@doc("One work order with its thread (C4.6)", response_schema=s.WorkOrderSchema, tag="work-orders")
def get_work_order_api(work_order_id: int):
    return s.WorkOrderSchema().dump(ops.get_work_order(current_user, work_order_id))


@api_bp.post("/work-orders/<int:work_order_id>/assign")
@doc(
    "Operator: assign to an operator account (C4.6)",
    request_schema=s.AssignInSchema,
    response_schema=s.WorkOrderSchema,
    tag="work-orders",
)
def assign_work_order_api(work_order_id: int):
    data = load_body(s.AssignInSchema())
    return s.WorkOrderSchema().dump(ops.assign(current_user, work_order_id, data["assignee_id"]))


@api_bp.post("/work-orders/<int:work_order_id>/answer")
@doc(
    "Operator: answer (the first answer fixes the response time, S13)",
    request_schema=s.TextInSchema,
    response_schema=s.WorkOrderSchema,
    tag="work-orders",
)
def answer_work_order_api(work_order_id: int):
    return s.WorkOrderSchema().dump(ops.answer(current_user, work_order_id, load_body(s.TextInSchema())["body"]))


@api_bp.post("/work-orders/<int:work_order_id>/reply")
@doc(
    "Owner: add to its work order; it goes back to the operator (C4.6)",
    request_schema=s.TextInSchema,
    response_schema=s.WorkOrderSchema,
    tag="work-orders",
)
def reply_work_order_api(work_order_id: int):
    return s.WorkOrderSchema().dump(ops.reply(current_user, work_order_id, load_body(s.TextInSchema())["body"]))


@api_bp.put("/work-orders/<int:work_order_id>/tags")
@doc(
    "Operator: flag common problem / public opinion / malicious complaint (C4.6)",
    request_schema=s.TagsInSchema,
    response_schema=s.WorkOrderSchema,
    tag="work-orders",
)
def tag_work_order_api(work_order_id: int):
    return s.WorkOrderSchema().dump(ops.set_tags(current_user, work_order_id, load_body(s.TagsInSchema())["tags"]))


@api_bp.post("/work-orders/<int:work_order_id>/close")
@doc(
    "Operator: close with a note; the owner is told (C4.6)",
    request_schema=s.CloseInSchema,
    response_schema=s.WorkOrderSchema,
    tag="work-orders",
)
def close_work_order_api(work_order_id: int):
    return s.WorkOrderSchema().dump(ops.close(current_user, work_order_id, load_body(s.CloseInSchema())["note"]))

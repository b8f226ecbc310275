"""Workbench cards of work orders (C4.6, S13): answers the channel should read, and the operator's orders still
unanswered past the response time."""

from datetime import timedelta

from flask import current_app, url_for

from app.core.enums import WorkOrderStatus
from app.core.permissions import P
from app.core.timeutil import utcnow
from app.core.workbench import Item, card_from, register_card
from app.modules.work_orders.models import WorkOrder
from app.modules.work_orders.operations import visible_work_orders


def _item(order: WorkOrder, **extra) -> Item:
    return Item(
        f"{order.number} · {order.subject}", url_for("work_orders.work_order_detail", work_order_id=order.id), **extra
    )


def answered(user):
    query = visible_work_orders(user).where(WorkOrder.status == WorkOrderStatus.answered)
    return card_from(
        query,
        key="work_orders.answered",
        title=("已答复的工单", "Answered work orders"),
        url=url_for("work_orders.list_work_orders", status="answered"),
        item=_item,
        order_by=(WorkOrder.created_at, WorkOrder.id),
        hint=("问题未解决可继续回复", "Reply if the problem is not solved"),
    )


def overdue(user):
    late = utcnow() - timedelta(hours=current_app.config["WORK_ORDER_RESPONSE_HOURS"])
    query = visible_work_orders(user).where(
        WorkOrder.status.in_((WorkOrderStatus.open, WorkOrderStatus.assigned)),
        WorkOrder.first_answered_at.is_(None),
        WorkOrder.created_at < late,
    )
    return card_from(
        query,
        key="work_orders.overdue",
        title=("超过响应时限未答复的工单", "Work orders past their response time"),
        url=url_for("work_orders.list_work_orders"),
        item=lambda o: _item(o, since=o.created_at),
        order_by=(WorkOrder.created_at, WorkOrder.id),
        hint=("首次答复时限见系统设置（S13）", "First answer due within the configured hours (S13)"),
    )


register_card("work_orders.answered", answered, permission=P.work_order_file, order=40)
register_card("work_orders.overdue", overdue, permission=P.work_order_handle, order=25)

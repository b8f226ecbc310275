"""The work-orders domain's part of a channel's data deletion (C6.5): work orders and their entries."""

import sqlalchemy as sa

from app.core.deletion import delete_rows, register_part
from app.modules.work_orders.models import WorkOrder, WorkOrderEntry


def work_orders(cid: int, scope: dict) -> dict:
    own = sa.select(WorkOrder.id).where(WorkOrder.channel_id == cid)
    return {
        "work_order_entries": delete_rows(WorkOrderEntry, WorkOrderEntry.work_order_id.in_(own)),
        "work_orders": delete_rows(WorkOrder, WorkOrder.channel_id == cid),
    }


register_part("operations", 40, work_orders)

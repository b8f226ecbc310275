"""Who reaches a work order (C1.4, C4.6): its organisation, the operator and the auditor. Registered with
`app.core.jurisdiction` at start-up."""

import sqlalchemy as sa

from app.core.enums import Role
from app.core.jurisdiction import register_clause, register_scope
from app.modules.work_orders.models import WorkOrder

register_scope("work_order", WorkOrder)
register_clause("work_order", [Role.company], lambda user: WorkOrder.organisation_id == user.organisation_id)
register_clause("work_order", [Role.operator, Role.auditor], lambda user: sa.true())

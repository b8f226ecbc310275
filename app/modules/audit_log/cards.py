"""Workbench card of whoever reads the audit log (S4; the administrator, the operator, the auditor): the requests
refused in the last 24 hours — a refused request is a security event worth a look."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from app.core.audit import AuditEntry
from app.core.permissions import P
from app.core.timeutil import utcnow
from app.core.workbench import Item, card_from, register_card
from app.modules.accounts.operations import scope_audit
from app.modules.audit_log.actions import action_title


def refused(user):
    query = scope_audit(user, sa.select(AuditEntry), AuditEntry).where(
        AuditEntry.outcome == "denied", AuditEntry.at > utcnow() - timedelta(hours=24)
    )
    return card_from(
        query,
        key="audit_log.refused",
        title=("24 小时内被拒绝的访问", "Requests refused in 24 hours"),
        url=url_for("audit_log.audit_log", action="access.denied"),
        item=lambda e: Item(
            f"{e.actor_name or '-'} · {action_title(e.action)} · {e.ip or '-'}",
            url_for("audit_log.audit_log", action=e.action),
            since=e.at,
        ),
        order_by=(AuditEntry.id.desc(),),
        hint=("多次被拒可能是越权尝试（S4）", "Repeated refusals may be attempts beyond authority (S4)"),
    )


register_card("audit_log.refused", refused, permission=P.audit_read, order=60)

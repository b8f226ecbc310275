"""Browsing the audit log (S4), for the permission administrator and the operator."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from app.core.audit import AuditEntry
from app.core.errors import RuleViolation
from app.core.http.pagination import paginate
from app.modules.accounts.operations import scope_audit
from app.modules.audit_log.actions import (
    ACTIONS,
    OBJECTS,
    action_title,
    changes,
    object_label,
    object_title,
    object_url,
    value_text,
)

FILTERS = ("action", "object_type", "object_id", "actor_name")


def filtered_query(args, user):
    """Filter by exact action, object type, object id, actor, and a date range (dates inclusive, UTC), within the
    reader's reach (a provincial administrator: their accounts' entries only)."""
    query = scope_audit(user, sa.select(AuditEntry), AuditEntry)
    for name in FILTERS:
        value = (args.get(name) or "").strip()
        if value:
            query = query.where(getattr(AuditEntry, name) == value)
    for name, op in (("since", "ge"), ("until", "lt")):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                day = datetime.strptime(raw, "%Y-%m-%d")
            except ValueError as exc:
                raise RuleViolation(
                    f"日期格式应为 YYYY-MM-DD：{raw[:20]}",
                    f"Expected a date as YYYY-MM-DD: {raw[:20]}",
                    fields={name: ["invalid"]},
                ) from exc
            query = query.where(AuditEntry.at >= day if op == "ge" else AuditEntry.at < day + timedelta(days=1))
    return query.order_by(AuditEntry.id.desc())


def audit_log():
    """S4: the log as sentences — who, in which role, did what to which object (linked), from which address, and the
    fields it changed in words — with labelled filters."""
    query = filtered_query(request.args, current_user)
    return render_template(
        "audit_log/list.html",
        page=paginate(query),
        args=request.args,
        actions=sorted(((code, action_title(code)) for code in ACTIONS), key=lambda pair: pair[1]),
        objects=sorted(((code, object_title(code)) for code in OBJECTS), key=lambda pair: pair[1]),
        action_title=action_title,
        object_label=object_label,
        object_url=object_url,
        changes=changes,
        value_text=value_text,
    )

"""Browsing the audit log (S4), for the permission administrator and the operator."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template, request

from app.core.audit import AuditEntry
from app.web.pagination import paginate

FILTERS = ("action", "object_type", "object_id", "actor_name")


def filtered_query(args):
    """Filter by exact action, object type, object id, actor, and a date range (dates inclusive, UTC)."""
    query = sa.select(AuditEntry)
    for name in FILTERS:
        value = (args.get(name) or "").strip()
        if value:
            query = query.where(getattr(AuditEntry, name) == value)
    for name, op in (("since", "ge"), ("until", "lt")):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                day = datetime.strptime(raw, "%Y-%m-%d")
            except ValueError:
                continue
            query = query.where(AuditEntry.at >= day if op == "ge" else AuditEntry.at < day + timedelta(days=1))
    return query.order_by(AuditEntry.id.desc())


def audit_log():
    return render_template("audit_log/list.html", page=paginate(filtered_query(request.args)), args=request.args)

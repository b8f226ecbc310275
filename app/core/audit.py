"""The audit log (S4): who changed what, when, how, with the state before and after.

`record()` adds the entry to the current session, so it commits or rolls back together with the change it describes.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = {"comment": "Append-only change log (S4). One row per state change."}

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True, comment="UTC")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(64), default="system")
    actor_role: Mapped[str | None] = mapped_column(sa.String(32))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32), index=True)
    object_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)


def _actor():
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return None


def record(action: str, obj, before: dict | None = None, after: dict | None = None, actor=None) -> AuditEntry:
    """Add an audit entry for `obj` (a persisted model instance) in the current transaction."""
    actor = actor or _actor()
    db.session.flush()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "system"),
        actor_role=str(actor.role) if actor is not None else None,
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=obj.__tablename__,
        object_id="/".join(str(v) for v in sa.inspect(obj).identity),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry

"""Putting messages in the in-portal inbox (S8: every decision reaches the applicant with its reasons)."""

import sqlalchemy as sa

from app.extensions import db
from app.modules.messaging.models import Message


def notify_organisation(organisation_id: int, sender_unit: str, subject: str, body: str, obj=None) -> Message:
    message = Message(
        organisation_id=organisation_id,
        sender_unit=sender_unit,
        subject=subject,
        body=body,
        object_type=getattr(obj, "__tablename__", None),
        object_id=str(obj.id) if obj is not None else None,
    )
    db.session.add(message)
    return message


def inbox_query(user):
    """The user's own messages and those of their organisation."""
    clauses = [Message.user_id == user.id]
    if user.organisation_id:
        clauses.append(Message.organisation_id == user.organisation_id)
    return sa.select(Message).where(sa.or_(*clauses)).order_by(Message.created_at.desc(), Message.id.desc())


def unread_count(user) -> int:
    query = inbox_query(user).where(Message.read_at.is_(None)).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))

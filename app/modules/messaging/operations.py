"""Putting messages in the in-portal inbox (S8: every decision reaches the applicant with its reasons)."""

import sqlalchemy as sa

from app.core.enums import Role
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.messaging.models import Message


def notify_organisation(organisation_id: int, sender_unit: str, subject: str, body: str, obj=None) -> Message:
    return _add(sender_unit, subject, body, obj, organisation_id=organisation_id)


def notify_user(user_id: int, sender_unit: str, subject: str, body: str, obj=None) -> Message:
    return _add(sender_unit, subject, body, obj, user_id=user_id)


def notify_operators(sender_unit: str, subject: str, body: str, obj=None) -> None:
    """Every active operator account gets the message in its own inbox."""
    for user_id in db.session.scalars(sa.select(User.id).where(User.role == Role.operator, User.active)):
        notify_user(user_id, sender_unit, subject, body, obj)


def _add(sender_unit: str, subject: str, body: str, obj, **recipient) -> Message:
    message = Message(
        **recipient,
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

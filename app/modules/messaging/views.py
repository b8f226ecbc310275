"""The in-portal inbox (S8)."""

from flask import render_template
from flask_login import current_user

from app.core.errors import NotFound
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.messaging.models import Message
from app.modules.messaging.operations import inbox_query
from app.web.pagination import paginate


def inbox():
    return render_template("messaging/inbox.html", page=paginate(inbox_query(current_user)))


def message_detail(message_id: int):
    message = db.session.scalar(inbox_query(current_user).where(Message.id == message_id))
    if message is None:
        raise NotFound()
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.commit()
    return render_template("messaging/message.html", message=message)

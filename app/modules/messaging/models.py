"""The in-portal inbox (S8, S1): every decision leaves a message for the applicant, with the sending unit."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class Message(db.Model):
    __tablename__ = "message"
    __table_args__ = (
        sa.CheckConstraint("organisation_id IS NOT NULL OR user_id IS NOT NULL", name="has_recipient"),
        {"comment": "In-portal messages; kept on record (S1)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(32), default="business", comment="S1 message category")
    sender_unit: Mapped[str] = mapped_column(sa.String(100), comment="the unit shown as sender (S1)")
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column()

"""Work orders (C4.6): a channel's user-specific problem, handled by the operator, with its thread and timings (S13)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import WorkOrderStatus, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class WorkOrder(db.Model):
    __tablename__ = "work_order"
    __table_args__ = {"comment": "A problem filed by a channel for the operator (C4.6); timings measured (S13)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True, comment="shown to users")
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[WorkOrderStatus] = mapped_column(enum_column(WorkOrderStatus, "work_order_status"), index=True)
    tags: Mapped[list] = mapped_column(sa.JSON, default=list, comment="common_problem, public_opinion, malicious_…")
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    assigned_at: Mapped[datetime | None] = mapped_column()
    first_answered_at: Mapped[datetime | None] = mapped_column(comment="S13: first response time")
    closed_at: Mapped[datetime | None] = mapped_column()

    channel = relationship("Channel")
    organisation = relationship("Organisation")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    entries: Mapped[list["WorkOrderEntry"]] = relationship(order_by="WorkOrderEntry.id", back_populates="work_order")


class WorkOrderEntry(db.Model):
    __tablename__ = "work_order_entry"
    __table_args__ = {"comment": "The thread of a work order: filing, assignment, answers, replies, tags, closing."}

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(sa.ForeignKey("work_order.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), comment="filed, assigned, answer, reply, tags, closed")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    work_order: Mapped[WorkOrder] = relationship(back_populates="entries")
    author = relationship("User")

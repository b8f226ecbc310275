"""The in-portal inbox (S8, S1): every decision leaves a message for the applicant, with the sending unit."""

from datetime import datetime
from enum import nonmember

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import TitledEnum, enum_column
from app.core.i18n import register_codes
from app.core.timeutil import utcnow
from app.extensions import db


class TemplateStatus(TitledEnum):
    pending_review = "pending_review"
    approved = "approved"
    rejected = "rejected"
    TITLES = nonmember(
        {
            "pending_review": ("待审核", "Awaiting review"),
            "approved": ("已启用", "Approved"),
            "rejected": ("未通过", "Rejected"),
        }
    )


class DeliveryStatus(TitledEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    TITLES = nonmember({"pending": ("待发送", "Pending"), "sent": ("已发送", "Sent"), "failed": ("发送失败", "Failed")})


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
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("message_template.id"), comment="the reviewed template it was rendered from (S1)"
    )


class MessageTemplate(db.Model):
    """A message template (S1): category, sending unit, subject and body with declared `{placeholders}`. A version is
    used only after review; a change is a new version."""

    __tablename__ = "message_template"
    __table_args__ = (
        sa.UniqueConstraint("code", "version", name="uq_message_template_version"),
        sa.CheckConstraint("category IN ('business', 'notice', 'publicity')", name="category"),
        {"comment": "Reviewed message templates (S1)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), index=True)
    version: Mapped[int] = mapped_column(default=1)
    category: Mapped[str] = mapped_column(sa.String(16))
    sender_unit: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    placeholders: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[TemplateStatus] = mapped_column(
        enum_column(TemplateStatus, "status", 16), default=TemplateStatus.pending_review
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="null: seeded")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str] = mapped_column(sa.Text, default="")


class Delivery(db.Model):
    """One e-mail or SMS copy of a message to one person (S1); retried until sent or given up, always visible."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        {"comment": "E-mail and SMS deliveries of messages, with attempts and errors (S1)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(sa.String(8))
    address: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "status", 8), default=DeliveryStatus.pending, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message = relationship("Message")


# S1: the copies of a message.
register_codes("delivery_channel", {"email": ("电子邮件", "E-mail"), "sms": ("短信", "SMS")})

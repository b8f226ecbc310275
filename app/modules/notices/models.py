"""Platform notices to channels with their acknowledgements (C4.3), and channels' own notices of maintenance,
suspension or restoration to the operator (C4.4)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import NoticeKind, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class PlatformNotice(db.Model):
    __tablename__ = "platform_notice"
    __table_args__ = {"comment": "An upgrade, maintenance, suspension or restoration notice of the platform (C4.3)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, "notice_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[datetime | None] = mapped_column(comment="UTC; when what is announced begins")
    ends_at: Mapped[datetime | None] = mapped_column()
    categories: Mapped[list] = mapped_column(sa.JSON, default=list, comment="selection; empty: every category")
    region_codes: Mapped[list] = mapped_column(sa.JSON, default=list, comment="selection; empty: every region")
    levels: Mapped[list] = mapped_column(sa.JSON, default=list, comment="selection; empty: both levels")
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    published_by = relationship("User")
    recipients: Mapped[list["NoticeRecipient"]] = relationship(back_populates="notice", order_by="NoticeRecipient.id")


class NoticeRecipient(db.Model):
    __tablename__ = "notice_recipient"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "channel_id", name="notice_channel"),
        {"comment": "One channel a platform notice went to, and its acknowledgement (C4.3)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("platform_notice.id"), index=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(comment="when the reminder went out (once)")

    notice: Mapped[PlatformNotice] = relationship(back_populates="recipients")
    channel = relationship("Channel")
    organisation = relationship("Organisation")
    acknowledged_by = relationship("User")


class ChannelNotice(db.Model):
    __tablename__ = "channel_notice"
    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        {"comment": "A channel's own maintenance, suspension or restoration, announced in advance (C4.4)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, "notice_kind"))
    starts_at: Mapped[datetime] = mapped_column(index=True, comment="UTC")
    ends_at: Mapped[datetime | None] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel = relationship("Channel")
    filed_by = relationship("User")

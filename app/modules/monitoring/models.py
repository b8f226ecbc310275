"""Monthly statistics of each channel (C3.6, C4.8): new issuance, cumulative issuance, monthly active users.

A month's figures are never overwritten: a correction is a new version with its reason and author, and the current
figures of a month are those of its highest version."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db

SOURCES = ("gateway", "portal", "import")


class MonthlyStatistic(db.Model):
    __tablename__ = "monthly_statistic"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "month", "version", name="uq_monthly_statistic_version"),
        sa.CheckConstraint(
            "new_issuance >= 0 AND cumulative_issuance >= 0 AND monthly_active_users >= 0", name="non_negative"
        ),
        sa.CheckConstraint("monthly_active_users <= cumulative_issuance", name="mau_within_cumulative"),
        sa.CheckConstraint("source IN ('gateway', 'portal', 'import')", name="source"),
        {"comment": "A channel's figures for one month, one row per version (C3.6, C4.8)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    month: Mapped[date] = mapped_column(comment="first day of the month reported")
    version: Mapped[int] = mapped_column(default=1)
    new_issuance: Mapped[int] = mapped_column(sa.BigInteger)
    cumulative_issuance: Mapped[int] = mapped_column(sa.BigInteger)
    monthly_active_users: Mapped[int] = mapped_column(sa.BigInteger)
    source: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text, default="", comment="why a later version corrects the month")
    reported_by_channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channel.id"), comment="the channel whose signed request carried it (a level-1 for its level-2)"
    )
    reported_by_key_id: Mapped[str | None] = mapped_column(sa.String(40))
    reported_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel = relationship("Channel", foreign_keys=[channel_id])

    def figures(self) -> tuple[int, int, int]:
        return self.new_issuance, self.cumulative_issuance, self.monthly_active_users

"""Promotion filings (C4.5): a channel's self-run promotion activity, HR&SS review where it uses HR&SS publicity
wording, and the report of its form and results."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import PromotionStatus, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class Promotion(db.Model):
    __tablename__ = "promotion"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        {"comment": "A self-run promotion activity reported to the operator (C4.5)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, comment="form, content, audience")
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    uses_hrss_wording: Mapped[bool] = mapped_column(comment="uses HR&SS publicity wording: needs HR&SS review")
    wording: Mapped[str] = mapped_column(sa.Text, default="", comment="the HR&SS wording used")
    status: Mapped[PromotionStatus] = mapped_column(enum_column(PromotionStatus, "promotion_status"), index=True)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    review_unit: Mapped[str] = mapped_column(sa.String(100), default="")
    review_opinion: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column()
    result_form: Mapped[str] = mapped_column(sa.Text, default="", comment="how it was actually run")
    result_summary: Mapped[str] = mapped_column(sa.Text, default="", comment="results")
    participants: Mapped[int | None] = mapped_column(sa.BigInteger)
    reported_at: Mapped[datetime | None] = mapped_column()

    channel = relationship("Channel")
    organisation = relationship("Organisation")
    reviewer = relationship("User", foreign_keys=[reviewer_id])

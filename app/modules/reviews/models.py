"""Review steps: each reviewer's opinion is its own row (C2.6, C2.10)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import Stage, StepStatus, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class ReviewStep(db.Model):
    __tablename__ = "review_step"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "round", "stage", "region_code", name="one_step_per_part"),
        sa.CheckConstraint(
            "stage IN ('national', 'operator') OR region_code IS NOT NULL", name="regional_step_has_region"
        ),
        {"comment": "One reviewer's part of an application's review chain in one round (C2.10 fields)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column()
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    advisory: Mapped[bool] = mapped_column(default=False, comment="national scope: a provincial opinion, not a gate")
    status: Mapped[StepStatus] = mapped_column(enum_column(StepStatus, "step_status"), index=True)
    opened_at: Mapped[datetime | None] = mapped_column(comment="when the step became pending")
    opinion: Mapped[str] = mapped_column(sa.Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewer_name: Mapped[str] = mapped_column(sa.String(64), default="")
    contact: Mapped[str] = mapped_column(sa.String(64), default="")
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application = relationship("Application")
    region = relationship("Region")
    reviewer = relationship("User")

    @property
    def decided(self) -> bool:
        return self.status in (StepStatus.approved, StepStatus.rejected)

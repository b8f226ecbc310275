"""Production intake (C2.8, C2.9, C7.3): the recordings of a production application and the operator's checklist."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db

PLATFORMS = {"ios": ("iOS", "iOS"), "android": ("Android", "Android")}

# C2.9: each recording covers these six operations, in this order.
CHECKLIST = {
    "enter": ("进入电子社保卡", "Enter e-SSC"),
    "issue": ("签发", "Issue e-SSC"),
    "change_password": ("修改密码", "Change password"),
    "reset_password": ("重置密码", "Reset password"),
    "unlink": ("解除关联", "Unlink"),
    "exit": ("退出电子社保卡", "Exit e-SSC"),
}


class Recording(db.Model):
    """One screen recording of a production application (C2.9). A re-upload replaces the current one; the replaced
    file and its row are kept (replaced_at set), so every round's evidence stays on record."""

    __tablename__ = "recording"
    __table_args__ = (
        sa.CheckConstraint("platform IN ('ios', 'android')", name="platform"),
        {"comment": "iOS and Android screen recordings of a production intake (C2.9)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(sa.String(8))
    filename: Mapped[str] = mapped_column(sa.String(200), comment="original name as uploaded")
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(comment="set when a newer upload replaced this one")

    checks: Mapped[list["RecordingCheck"]] = relationship(
        cascade="all, delete-orphan", order_by="RecordingCheck.step", back_populates="recording"
    )

    @property
    def checked_steps(self) -> list[str]:
        return [c.step for c in self.checks]

    @property
    def fully_checked(self) -> bool:
        return set(self.checked_steps) >= set(CHECKLIST)


class RecordingCheck(db.Model):
    """One of the six required operations, ticked by the operator as seen in the recording (C2.9)."""

    __tablename__ = "recording_check"
    __table_args__ = (
        sa.CheckConstraint(
            "step IN ('enter', 'issue', 'change_password', 'reset_password', 'unlink', 'exit')", name="step"
        ),
    )

    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recording.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    checked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)

    recording: Mapped[Recording] = relationship(back_populates="checks")

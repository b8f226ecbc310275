"""Intake applications (C2.6, C7.1–C7.2, C3.8): the Form 1 header, its channel rows, supplements and attachments."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import (
    AccessMode,
    ApplicationKind,
    ApplicationStatus,
    ChannelCategory,
    ChannelForm,
    enum_column,
)
from app.core.i18n import register_codes
from app.core.timeutil import today, utcnow
from app.extensions import db


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        sa.CheckConstraint("level IN (1, 2)", name="level"),
        sa.CheckConstraint("(level = 1) = (parent_channel_id IS NULL)", name="level2_has_parent"),
        {"comment": "An intake application (Form 1 / Form 3) and its review state."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True, comment="application number shown to users (S8)")
    kind: Mapped[ApplicationKind] = mapped_column(enum_column(ApplicationKind, "application_kind"))
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, "application_status"), index=True)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    category: Mapped[ChannelCategory] = mapped_column(enum_column(ChannelCategory, "channel_category"))
    level: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    parent_channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    same_subject: Mapped[bool | None] = mapped_column(comment="level-2: same subject as the level-1 (C3.1)")
    inherit_parent_scope: Mapped[bool] = mapped_column(default=False, comment="C3.7: same subject only")
    fill_date: Mapped[date] = mapped_column(default=today)
    contact_name: Mapped[str] = mapped_column(sa.String(64), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(200), default="")
    operating_since: Mapped[date | None] = mapped_column(comment="C2.2: start of operation in the requested region")
    serves_livelihood: Mapped[bool] = mapped_column(default=False, comment="C2.2 declaration")
    existing_users: Mapped[int] = mapped_column(sa.BigInteger, default=0, comment="C2.2: existing users")
    round: Mapped[int] = mapped_column(default=0, comment="number of submissions so far")
    submitted_at: Mapped[datetime | None] = mapped_column(comment="last submission (UTC)")
    first_submitted_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=0, comment="bumped by every decision; serialises reviewers")
    security_report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("security_report.id"), comment="production intake: the security test report filed (C2.7, C2.8)"
    )
    report_reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="production intake: the operator who reviewed the report (C2.8)"
    )
    report_reviewed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    applicant = relationship("Organisation")
    created_by = relationship("User", foreign_keys=[created_by_id])
    parent_channel = relationship("Channel")
    security_report = relationship("SecurityReport")
    rows: Mapped[list["ApplicationRow"]] = relationship(
        back_populates="application", order_by="ApplicationRow.position", cascade="all, delete-orphan"
    )
    social: Mapped["SocialSupplement | None"] = relationship(cascade="all, delete-orphan", uselist=False)
    level2: Mapped["Level2Supplement | None"] = relationship(cascade="all, delete-orphan", uselist=False)
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id", cascade="all, delete-orphan")
    rounds: Mapped[list["ApplicationRound"]] = relationship(
        order_by="ApplicationRound.round", cascade="all, delete-orphan"
    )

    @property
    def national_scope(self) -> bool:
        return any(row.national_scope for row in self.rows)


class ApplicationRow(db.Model):
    """One row of Form 1's channel table."""

    __tablename__ = "application_row"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "position", name="position"),
        sa.CheckConstraint("form = 'app' OR access_mode = 'h5'", name="C2_5_access_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(100))
    form: Mapped[ChannelForm] = mapped_column(enum_column(ChannelForm, "channel_form"))
    access_mode: Mapped[AccessMode] = mapped_column(enum_column(AccessMode, "access_mode"))
    national_scope: Mapped[bool] = mapped_column(default=False, comment="全国范围 (C2.3)")
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id"), index=True)

    application: Mapped[Application] = relationship(back_populates="rows")
    channel = relationship("Channel")
    regions: Mapped[list["RowRegion"]] = relationship(cascade="all, delete-orphan", order_by="RowRegion.region_code")
    services: Mapped[list["RowService"]] = relationship(cascade="all, delete-orphan")

    @property
    def region_codes(self) -> list[str]:
        return [r.region_code for r in self.regions if r.requested]

    @property
    def granted_codes(self) -> list[str]:
        return [r.region_code for r in self.regions if r.granted]

    @property
    def service_codes(self) -> list[str]:
        return [s.service_code for s in self.services]


class RowRegion(db.Model):
    __tablename__ = "application_row_region"
    __table_args__ = {"comment": "Requested regions of a row, and whether the national center granted each (C2.3)."}

    row_id: Mapped[int] = mapped_column(sa.ForeignKey("application_row.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), primary_key=True)
    requested: Mapped[bool] = mapped_column(default=True, comment="false: added by the national center")
    granted: Mapped[bool | None] = mapped_column(comment="null until the national decision")

    region = relationship("Region")


class RowService(db.Model):
    __tablename__ = "application_row_service"

    row_id: Mapped[int] = mapped_column(sa.ForeignKey("application_row.id", ondelete="CASCADE"), primary_key=True)
    service_code: Mapped[str] = mapped_column(sa.ForeignKey("service.code"), primary_key=True)

    service = relationship("Service")


class SocialSupplement(db.Model):
    """Form 2 (C7.2): required for a social channel."""

    __tablename__ = "social_supplement"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    user_groups: Mapped[str] = mapped_column(sa.Text, default="")
    registered_users: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    monthly_active_users: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    download_url: Mapped[str] = mapped_column(sa.String(500), default="")
    covered_regions: Mapped[str] = mapped_column(sa.Text, default="")
    scenario_fit: Mapped[str] = mapped_column(sa.Text, default="")
    entry_point: Mapped[str] = mapped_column(sa.Text, default="")
    expansion_plan: Mapped[str] = mapped_column(sa.Text, default="")
    committed_annual_issuance: Mapped[int] = mapped_column(sa.BigInteger, default=0, comment="C4.10 commitment")
    committed_mau: Mapped[int] = mapped_column(sa.BigInteger, default=0, comment="C4.10 commitment")
    company_materials: Mapped[str] = mapped_column(sa.Text, default="")


class Level2Supplement(db.Model):
    """The level-2 supplement (C3.8)."""

    __tablename__ = "level2_supplement"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    basic_facts: Mapped[str] = mapped_column(sa.Text, default="")
    management_relation: Mapped[str] = mapped_column(sa.Text, default="")
    capability_relation: Mapped[str] = mapped_column(sa.Text, default="")
    business_relation: Mapped[str] = mapped_column(sa.Text, default="")


class Attachment(db.Model):
    __tablename__ = "attachment"
    __table_args__ = {"comment": "Uploaded files; stored under generated names outside the web root."}

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    filename: Mapped[str] = mapped_column(sa.String(200), comment="original name as uploaded")
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationRound(db.Model):
    """What was submitted in each round and how the round ended: the history of rounds (C2.10)."""

    __tablename__ = "application_round"
    __table_args__ = (sa.UniqueConstraint("application_id", "round", name="round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    content: Mapped[dict] = mapped_column(sa.JSON, comment="snapshot of the application as submitted")
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    closed_at: Mapped[datetime | None] = mapped_column()
    reasons: Mapped[str] = mapped_column(sa.Text, default="")


class Counter(db.Model):
    """Named counters for application and channel numbers, incremented under a row lock."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# C2.10: how a review round ended.
register_codes("round_outcome", {"approved": ("通过", "Approved"), "returned": ("退回", "Returned")})

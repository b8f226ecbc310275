"""Monthly statistics of each channel (C3.6, C4.8): new issuance, cumulative issuance, monthly active users.

A month's figures are never overwritten: a correction is a new version with its reason and author, and the current
figures of a month are those of its highest version."""

from datetime import date, datetime
from enum import nonmember

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import TitledEnum, enum_column
from app.core.i18n import register_codes
from app.core.timeutil import utcnow
from app.extensions import db

SOURCES = ("gateway", "portal", "import")


class RecordStatus(TitledEnum):
    """A notice runs its improvement period and is cleared or escalated (C4.9); an alert is open until resolved;
    either is withdrawn when corrected figures no longer raise it."""

    improving = "improving"
    cleared = "cleared"
    escalated = "escalated"
    open = "open"
    resolved = "resolved"
    withdrawn = "withdrawn"
    TITLES = nonmember(
        {
            "improving": ("提升期", "Improvement period"),
            "cleared": ("已改善", "Improved"),
            "escalated": ("未改善，已告警", "Not improved, alerted"),
            "open": ("告警中", "Alert open"),
            "resolved": ("已解除", "Resolved"),
            "withdrawn": ("已撤销", "Withdrawn"),
        }
    )


class PlanStatus(TitledEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    TITLES = nonmember(
        {
            "pending": ("待审核", "Awaiting review"),
            "approved": ("已批准", "Approved"),
            "rejected": ("未批准", "Rejected"),
        }
    )


class MonthlyStatistic(db.Model):
    __tablename__ = "monthly_statistic"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "month", "version", name="uq_monthly_statistic_version"),
        sa.CheckConstraint(
            "new_issuance >= 0 AND cumulative_issuance >= 0 AND monthly_active_users >= 0", name="non_negative"
        ),
        sa.CheckConstraint("monthly_active_users <= cumulative_issuance", name="mau_within_cumulative"),
        sa.CheckConstraint("source IN ('gateway', 'portal', 'import')", name="source"),
        sa.CheckConstraint("version >= 1", name="version_from_one"),
        # The corrections alone (issue 17): what the current-version test looks for, small whatever the history.
        sa.Index(
            "ix_monthly_statistic_corrections",
            "channel_id",
            "month",
            postgresql_where=sa.text("version > 1"),
            sqlite_where=sa.text("version > 1"),
        ),
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


class MonitoringRecord(db.Model):
    """A notice [通知] or an alert [告警] of the monitoring rules (C4.9, C4.10), for one counting unit (C4.8: a level-1
    channel with its same-subject level-2 channels, or a different-subject level-2 channel alone)."""

    __tablename__ = "monitoring_record"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "kind", "rule", "month", name="uq_monitoring_record_unit_rule_month"),
        sa.CheckConstraint("kind IN ('notice', 'alert')", name="kind"),
        {"comment": "Monitoring notices and alerts with the figures that triggered them (C4.7–C4.10)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True, comment="the unit's channel")
    kind: Mapped[str] = mapped_column(sa.String(8))
    rule: Mapped[str] = mapped_column(sa.String(8), comment="C4.9a, C4.9b, C4.9c, C4.9 (after the period), C4.10")
    month: Mapped[date] = mapped_column(index=True, comment="the evaluated month that raised it")
    months: Mapped[list] = mapped_column(sa.JSON, comment="the months concerned, YYYY-MM")
    figures: Mapped[dict] = mapped_column(sa.JSON, comment="the figures that triggered it")
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus, "status", 12), index=True)
    period_ends: Mapped[date | None] = mapped_column(comment="notice: last month of the improvement period")
    baseline_issuance: Mapped[int | None] = mapped_column(sa.BigInteger, comment="notice: 3-month issuance at notice")
    baseline_mau: Mapped[int | None] = mapped_column(sa.BigInteger, comment="notice: the month's MAU at notice")
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_record.id"), comment="alert: its notice")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel = relationship("Channel")
    events: Mapped[list["MonitoringEvent"]] = relationship(order_by="MonitoringEvent.id", back_populates="record")


class MonitoringEvent(db.Model):
    __tablename__ = "monitoring_event"
    __table_args__ = {"comment": "The history of a notice or alert: every status change with its reason."}

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("monitoring_record.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus, "status", 12, constraint=False))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evaluation_run.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    record: Mapped[MonitoringRecord] = relationship(back_populates="events")


class EvaluationRun(db.Model):
    __tablename__ = "evaluation_run"
    __table_args__ = {"comment": "One evaluation of every channel for a month (C4.9, C4.10): what it changed."}

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    trigger: Mapped[str] = mapped_column(sa.String(16), comment="schedule, cli, operator")
    units: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    statements: Mapped[int] = mapped_column(default=0)


class MissingReport(db.Model):
    __tablename__ = "missing_report"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "month", name="uq_missing_report_channel_month"),
        {"comment": "A level-1 channel that had not reported a month for itself and all its level-2 channels (C3.6)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True, comment="the level-1 channel")
    month: Mapped[date] = mapped_column(index=True)
    missing: Mapped[list] = mapped_column(sa.JSON, comment="channel numbers without figures when flagged")
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(comment="when every figure had arrived")

    channel = relationship("Channel")


class ImprovementPlan(db.Model):
    __tablename__ = "improvement_plan"
    __table_args__ = (
        {"comment": "An alerted channel's operational improvement plan; approval allows renewal (C4.11)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[PlanStatus] = mapped_column(
        enum_column(PlanStatus, "status", 8), default=PlanStatus.pending, index=True
    )
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    opinion: Mapped[str] = mapped_column(sa.Text, default="")

    channel = relationship("Channel")


# Where a monthly figure came from (C3.6), as the pages show it.
register_codes(
    "statistics_source",
    {
        "gateway": ("渠道接口报送", "Signed request"),
        "portal": ("门户上传", "Portal upload"),
        "import": ("运营机构导入", "Operator import"),
    },
)
register_codes(
    "evaluation_trigger",
    {
        "schedule": ("定时任务", "scheduled"),
        "operator": ("运营人员手动", "by an operator"),
        "cli": ("命令行", "command line"),
        "demo": ("演示数据", "demo data"),
    },
)

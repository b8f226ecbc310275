"""Channel exits (C6.1–C6.6) and the deletion of a channel's data at completion with its certificate (C6.5)."""

from datetime import date, datetime
from enum import nonmember

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import TitledEnum, enum_column
from app.core.i18n import register_codes
from app.core.timeutil import utcnow
from app.extensions import db


class ExitStatus(TitledEnum):
    """C6.1–C6.4: a voluntary exit is consulted on and decided; an approved exit (or a forced one) runs its
    transition and is completed."""

    consulting = "consulting"
    approved = "approved"
    rejected = "rejected"
    transition = "transition"
    completed = "completed"
    TITLES = nonmember(
        {
            "consulting": ("征求意见中", "Consulting"),
            "approved": ("已同意", "Approved"),
            "rejected": ("不同意", "Rejected"),
            "transition": ("退出过渡期", "In transition"),
            "completed": ("已完成退出", "Completed"),
        }
    )


CAUSES = {
    "level3_incident": ("三级安全风险事件", "Level-3 security incident"),
    "agreement_not_renewed": ("合作协议未按时签署或续签", "Agreement not signed or renewed in time"),
    "security_report_overdue": ("未按时提交合格的安全检测报告", "No compliant security report in time"),
    "alert_not_improved": ("告警后运营数据仍未改善", "Figures not improved after the alert"),
    "reputation_damage": ("严重损害电子社保卡声誉", "Serious damage to the card's reputation"),
    "parent_exit": ("一级渠道退出", "The level-1 channel exits"),
}


class Exit(db.Model):
    __tablename__ = "channel_exit"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('voluntary', 'forced')", name="kind"),
        {"comment": "A voluntary or forced exit of a channel: decisions, transition, completion (C6.1–C6.4)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    cause: Mapped[str | None] = mapped_column(sa.String(32), comment="forced: one of the C6.4 causes")
    reason: Mapped[str] = mapped_column(sa.Text, default="", comment="voluntary: special reason; forced: evidence")
    requested_date: Mapped[date | None] = mapped_column(comment="voluntary: the exit date applied for")
    status: Mapped[ExitStatus] = mapped_column(enum_column(ExitStatus, "status", 12), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="null: the system")
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    national_decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    national_decided_at: Mapped[datetime | None] = mapped_column()
    national_opinion: Mapped[str] = mapped_column(sa.Text, default="")
    transition_start: Mapped[date | None] = mapped_column()
    transition_end: Mapped[date | None] = mapped_column(index=True)
    push_notice_confirmed_at: Mapped[datetime | None] = mapped_column(comment="C6.3: users told of other channels")
    announcement_url: Mapped[str] = mapped_column(sa.String(500), default="")
    announcement_start: Mapped[date | None] = mapped_column()
    announcement_end: Mapped[date | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    parent_exit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel_exit.id"), comment="taken along (C6.6)")
    incident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incident.id"))

    channel = relationship("Channel")
    opinions: Mapped[list["ExitOpinion"]] = relationship(order_by="ExitOpinion.province_code")


class ExitOpinion(db.Model):
    __tablename__ = "exit_opinion"
    __table_args__ = (
        sa.UniqueConstraint("exit_id", "province_code", name="uq_exit_opinion_province"),
        {"comment": "C6.2: a provincial info center's opinion on a voluntary exit."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(sa.ForeignKey("channel_exit.id"), index=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    agree: Mapped[bool | None] = mapped_column()
    opinion: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()

    province = relationship("Region", lazy="joined")


class DeletionCertificate(db.Model):
    __tablename__ = "deletion_certificate"
    __table_args__ = {"comment": "C6.5: what was deleted of an exited channel, counts and files, when, by which exit."}

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), unique=True)
    exit_id: Mapped[int] = mapped_column(sa.ForeignKey("channel_exit.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(comment="null: the deletion is still running (resumable)")
    steps: Mapped[dict] = mapped_column(sa.JSON, default=dict, comment="step name → rows or files removed")
    sha256: Mapped[str] = mapped_column(sa.String(64), default="", comment="digest of the certificate's content")

    exit: Mapped[Exit] = relationship()


# C6.1, C6.4: the kind of an exit and the cause of a forced one, as the pages and the audit log show them.
register_codes("exit_kind", {"voluntary": ("自愿退出", "Voluntary"), "forced": ("强制退出", "Forced")})
register_codes("exit_cause", CAUSES)

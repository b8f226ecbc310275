"""Qualified testing institutions (C5.4) and channels' security test reports (C5.3)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db

QUALIFICATIONS = {
    "cnas": ("CNAS 检验机构认可", "CNAS inspection-body accreditation"),
    "cma": ("CMA 检验检测机构资质认定", "CMA inspection and testing qualification"),
    "infosec_risk": (
        "信息安全服务资质（风险评估一级）",
        "Information-security service qualification (risk assessment, level 1)",
    ),
    "crypto_assessment": ("商用密码应用安全性评估资质", "Commercial-cryptography application security assessment"),
}


class Institution(db.Model):
    __tablename__ = "testing_institution"
    __table_args__ = {"comment": "Testing institutions kept by the operator (C5.4)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    qualifications: Mapped[list["Qualification"]] = relationship(
        cascade="all, delete-orphan", order_by="Qualification.kind", back_populates="institution"
    )


class Qualification(db.Model):
    __tablename__ = "institution_qualification"
    __table_args__ = (
        sa.UniqueConstraint("institution_id", "kind", name="one_per_kind"),
        sa.CheckConstraint("kind IN ('cnas', 'cma', 'infosec_risk', 'crypto_assessment')", name="kind"),
        sa.CheckConstraint("valid_from <= valid_until", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("testing_institution.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(24))
    certificate_number: Mapped[str] = mapped_column(sa.String(100))
    valid_from: Mapped[date] = mapped_column()
    valid_until: Mapped[date] = mapped_column()

    institution: Mapped[Institution] = relationship(back_populates="qualifications")


class SecurityReport(db.Model):
    __tablename__ = "security_report"
    __table_args__ = (
        sa.CheckConstraint("result IN ('pass', 'fail')", name="result"),
        {"comment": "Security test reports (C5.3); valid one year from the test date."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("testing_institution.id"))
    test_date: Mapped[date] = mapped_column()
    version_tested: Mapped[str] = mapped_column(sa.String(64))
    covers_spec: Mapped[bool] = mapped_column(comment="covers the access security technical specification")
    result: Mapped[str] = mapped_column(sa.String(8))
    findings: Mapped[str] = mapped_column(sa.Text, default="")
    filename: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    channel = relationship("Channel")
    institution: Mapped[Institution] = relationship()


class SpotCheck(db.Model):
    """A spot check ordered by the operator (C5.3); a failed re-test after rectification suspends the channel."""

    __tablename__ = "spot_check"
    __table_args__ = (sa.CheckConstraint("result IN ('pending', 'pass', 'fail')", name="result"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    is_retest: Mapped[bool] = mapped_column(default=False, comment="re-test after rectification")
    ordered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[str] = mapped_column(sa.String(8), default="pending")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime | None] = mapped_column()

    channel = relationship("Channel")


class ReportNotice(db.Model):
    """One flag per channel, kind and report: the daily check never sends the same notice twice (idempotent job)."""

    __tablename__ = "security_report_notice"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "kind", "report_id", name="uq_security_report_notice_once"),
        sa.CheckConstraint("kind IN ('expiring', 'overdue')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    report_id: Mapped[int] = mapped_column(sa.Integer, default=0, comment="the report concerned; 0 when none")
    flagged_on: Mapped[date] = mapped_column()

"""Security incidents (C5.2, C5.5, C5.6): reports and detections, grading, the consequences applied, rectification
and the observation period that follows; the gateway refusals the anomaly watch counts."""

from datetime import date, datetime
from enum import nonmember

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import TitledEnum, enum_column
from app.core.i18n import register_codes
from app.core.timeutil import utcnow
from app.extensions import db


class IncidentStatus(TitledEnum):
    """C5.2, C5.5, C5.6: reported (or detected) → confirmed and graded (rectifying / terminated) or dismissed; a
    rectification accepted restores the channel and starts the observation period."""

    reported = "reported"
    candidate = "candidate"
    dismissed = "dismissed"
    rectifying = "rectifying"
    restored = "restored"
    terminated = "terminated"
    TITLES = nonmember(
        {
            "reported": ("已报告，待确认", "Reported, to be confirmed"),
            "candidate": ("异常监测发现，待确认", "Detected, to be confirmed"),
            "dismissed": ("不予认定", "Dismissed"),
            "rectifying": ("整改中", "Rectifying"),
            "restored": ("已恢复，观察期", "Restored, under observation"),
            "terminated": ("已终止合作", "Cooperation terminated"),
        }
    )


class RectificationStatus(TitledEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"
    TITLES = nonmember(
        {
            "pending": ("待验收", "Awaiting review"),
            "accepted": ("验收通过", "Accepted"),
            "rejected": ("验收不通过", "Rejected"),
        }
    )


STATUSES = tuple(IncidentStatus)


class Incident(db.Model):
    __tablename__ = "incident"
    __table_args__ = (
        sa.CheckConstraint("level IN (1, 2, 3)", name="level"),
        sa.CheckConstraint("source IN ('channel', 'operator', 'anomaly')", name="source"),
        {"comment": "A security incident of a channel: graded by type (C5.5), confirmed before sanctions apply."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    incident_type: Mapped[str] = mapped_column(sa.String(40), comment="a code of the C5.5 list")
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    source: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[IncidentStatus] = mapped_column(enum_column(IncidentStatus, "status", 12), index=True)
    discovered_at: Mapped[datetime] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)
    impact: Mapped[str] = mapped_column(sa.Text, default="")
    anomaly: Mapped[dict | None] = mapped_column(sa.JSON, comment="C5.6: the refusal counts that opened it")
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str] = mapped_column(sa.Text, default="", comment="re-grading or dismissal reason")
    rectification_due: Mapped[date | None] = mapped_column()
    escalated_at: Mapped[datetime | None] = mapped_column(comment="rectification overdue: operator and national told")
    restored_at: Mapped[datetime | None] = mapped_column()
    observation_until: Mapped[date | None] = mapped_column(comment="C4.11: 6 months of stable running after restore")
    renewal_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    renewal_approved_at: Mapped[datetime | None] = mapped_column(comment="C4.11: national center approval")

    channel = relationship("Channel")
    evidence: Mapped[list["IncidentEvidence"]] = relationship(order_by="IncidentEvidence.id")
    rectifications: Mapped[list["Rectification"]] = relationship(order_by="Rectification.id")
    suspensions: Mapped[list["ServiceSuspension"]] = relationship(order_by="ServiceSuspension.id")


class IncidentEvidence(db.Model):
    __tablename__ = "incident_evidence"
    __table_args__ = {"comment": "Evidence files of an incident (stored like attachments)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incident.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceSuspension(db.Model):
    __tablename__ = "service_suspension"
    __table_args__ = {"comment": "C5.5 level 1: a service of a channel suspended until the incident is rectified."}

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    service_code: Mapped[str] = mapped_column(sa.ForeignKey("service.code"))
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incident.id"), index=True)
    suspended_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column()


class Rectification(db.Model):
    __tablename__ = "rectification"
    __table_args__ = (
        {"comment": "A channel's rectification report for an incident and the operator's verification (C5.5)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incident.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[RectificationStatus] = mapped_column(
        enum_column(RectificationStatus, "status", 8), default=RectificationStatus.pending
    )
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    opinion: Mapped[str] = mapped_column(sa.Text, default="")


class GatewayRefusal(db.Model):
    __tablename__ = "gateway_refusal"
    __table_args__ = {"comment": "C5.6: every refused signed request that names a known key, by cause."}

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(40))
    code: Mapped[str] = mapped_column(sa.String(32))
    path: Mapped[str] = mapped_column(sa.String(200), default="")


# C5.2, C5.5, C5.6: who brought the incident to light.
register_codes(
    "incident_source",
    {
        "channel": ("渠道报告", "Reported by the channel"),
        "operator": ("运营机构发现", "Found by the operator"),
        "anomaly": ("异常监测", "Anomaly watch"),
    },
)

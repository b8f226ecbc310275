"""The cooperation agreement (C2.8, C4.11, C4.12): versioned texts kept by the operator, and each channel's signature
and the operator's countersignature with the agreement's term."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import register_codes
from app.core.timeutil import utcnow
from app.extensions import db


class AgreementVersion(db.Model):
    """One published text. Never edited once published: a change is a new version, announced ahead (C4.12)."""

    __tablename__ = "agreement_version"
    __table_args__ = {"comment": "Versions of the cooperation agreement text (C4.12)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(32), unique=True, comment="label shown to users, e.g. 2026.1")
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64), comment="SHA-256 of the UTF-8 body: what a signer agrees to")
    effective_from: Mapped[date] = mapped_column(comment="the day this text applies")
    announced_at: Mapped[datetime] = mapped_column(default=utcnow, comment="published in the portal (C4.12)")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))

    created_by = relationship("User")


class Agreement(db.Model):
    """A channel's agreement under one text version: the owner's signature, then the operator's countersignature,
    which starts the term (default one year, C4.11)."""

    __tablename__ = "agreement"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "version_id", name="uq_agreement_channel_version"),
        sa.CheckConstraint("term_start IS NULL OR term_start <= term_end", name="term"),
        {"comment": "Signed cooperation agreements (C2.8, C4.11, C4.12)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement_version.id"), index=True)
    text_sha256: Mapped[str] = mapped_column(sa.String(64), comment="digest of the exact text the owner confirmed")
    signed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    countersigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    countersigner_name: Mapped[str] = mapped_column(sa.String(64), default="")
    countersigned_at: Mapped[datetime | None] = mapped_column()
    term_start: Mapped[date | None] = mapped_column()
    term_end: Mapped[date | None] = mapped_column()

    channel = relationship("Channel")
    version: Mapped[AgreementVersion] = relationship()
    signed_by = relationship("User", foreign_keys=[signed_by_id])

    @property
    def countersigned(self) -> bool:
        return self.countersigned_at is not None


class AgreementRenewal(db.Model):
    """The renewal decision of an agreement term at its expiry (C4.11): renewed for another term, or not — with why."""

    __tablename__ = "agreement_renewal"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "term_end", name="uq_agreement_renewal_term"),
        sa.CheckConstraint("outcome IN ('pending', 'renewed', 'not_renewed')", name="outcome"),
        {"comment": "Each agreement term's renewal at expiry: warned, objected to, renewed or not (C4.11)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id"), index=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    term_end: Mapped[date] = mapped_column(comment="the end of the term being renewed")
    outcome: Mapped[str] = mapped_column(sa.String(12), default="pending")
    warned_at: Mapped[datetime | None] = mapped_column()
    objection: Mapped[str] = mapped_column(sa.Text, default="", comment="the operator's objection to renewal")
    objected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    new_term_end: Mapped[date | None] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    agreement: Mapped[Agreement] = relationship()
    channel = relationship("Channel")


# C4.11: how the automatic renewal of a term ended.
register_codes(
    "renewal_outcome",
    {
        "pending": ("待续签", "Pending"),
        "renewed": ("已自动续签", "Renewed"),
        "not_renewed": ("未续签", "Not renewed"),
    },
)

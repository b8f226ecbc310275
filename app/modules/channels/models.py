"""Channels (C1), their grants of regions and services (C2.3, C2.4), and the service catalogue."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import AccessMode, ChannelCategory, ChannelForm, ChannelStatus, ServiceKind, enum_column
from app.core.i18n import register_codes
from app.core.timeutil import utcnow
from app.extensions import db

channel_region = sa.Table(
    "channel_region",
    db.metadata,
    sa.Column("channel_id", sa.ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_code", sa.ForeignKey("region.code"), primary_key=True),
    comment="Regions granted to a channel (C2.3).",
)

channel_service = sa.Table(
    "channel_service",
    db.metadata,
    sa.Column("channel_id", sa.ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_code", sa.ForeignKey("service.code"), primary_key=True),
    comment="Services granted to a channel (C2.4).",
)


class Service(db.Model):
    __tablename__ = "service"
    __table_args__ = {"comment": "The service catalogue kept by the operator (C2.4)."}

    code: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    kind: Mapped[ServiceKind] = mapped_column(enum_column(ServiceKind, "service_kind"))
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    allowed_categories: Mapped[list] = mapped_column(
        sa.JSON, default=list, comment="channel categories that may apply; empty means all (specialised channels)"
    )
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=100)

    def name(self, locale: str = "zh") -> str:
        return self.name_en if locale == "en" else self.name_zh


class Channel(db.Model):
    __tablename__ = "channel"
    __table_args__ = (
        sa.CheckConstraint("level IN (1, 2)", name="level"),
        sa.CheckConstraint("(level = 1) = (parent_id IS NULL)", name="level2_has_parent"),
        sa.CheckConstraint("form = 'app' OR access_mode = 'h5'", name="C2_5_access_mode"),
        {"comment": "An e-SSC service channel (C1.1)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), comment="published name")
    form: Mapped[ChannelForm] = mapped_column(enum_column(ChannelForm, "channel_form"))
    category: Mapped[ChannelCategory] = mapped_column(enum_column(ChannelCategory, "channel_category"))
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    access_mode: Mapped[AccessMode] = mapped_column(enum_column(AccessMode, "access_mode"))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    same_subject: Mapped[bool | None] = mapped_column(comment="level-2 only: same subject as the level-1 (C3.1)")
    platform_capability: Mapped[bool] = mapped_column(
        default=False,
        comment="national_signed with platform-level capability may have different-subject level-2 (C3.1)",
    )
    status: Mapped[ChannelStatus] = mapped_column(enum_column(ChannelStatus, "channel_status"), index=True)
    channel_number: Mapped[str | None] = mapped_column(sa.String(32), unique=True, comment="assigned by the operator")
    suspended_for_testing: Mapped[bool] = mapped_column(
        default=False, comment="suspended after a failed re-test until a passing report is accepted (C5.3)"
    )
    major_change_on: Mapped[date | None] = mapped_column(
        comment="last declared major upgrade or security-policy change: a new security test is needed (C5.3)"
    )
    live_since: Mapped[date | None] = mapped_column(comment="the day the production key was issued (C2.8)")
    contact_name: Mapped[str] = mapped_column(sa.String(64), default="", comment="fixed at production intake (C4.2)")
    contact_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(200), default="")
    forced_exit_cause: Mapped[str | None] = mapped_column(
        sa.String(32), comment="marked for forced exit (C6.4): agreement_not_renewed, …; issue 8 acts on it"
    )
    forced_exit_marked_at: Mapped[datetime | None] = mapped_column()
    serving_in_transition: Mapped[bool] = mapped_column(
        default=False, comment="C6.2, C6.3: live when its exit transition began: interfaces open until the end"
    )
    committed_annual_issuance: Mapped[int | None] = mapped_column(
        sa.BigInteger, comment="imported social channel: Form 2 commitment (C4.10); filed channels keep it on Form 2"
    )
    committed_mau: Mapped[int | None] = mapped_column(sa.BigInteger, comment="imported social channel (C4.10)")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("Organisation")
    parent: Mapped["Channel | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Channel"]] = relationship(back_populates="parent")
    regions = relationship("Region", secondary=channel_region, order_by="Region.code")
    services: Mapped[list[Service]] = relationship(secondary=channel_service, order_by=Service.sort_order)

    def snapshot(self) -> dict:
        return {
            "status": str(self.status),
            "channel_number": self.channel_number,
            "regions": [r.code for r in self.regions],
            "services": [s.code for s in self.services],
        }


class ContactChange(db.Model):
    """C4.2: every change of a channel's contact, with the values before and after, who and when."""

    __tablename__ = "channel_contact_change"
    __table_args__ = {"comment": "History of channel contact changes (C4.2)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    before: Mapped[dict] = mapped_column(sa.JSON)
    after: Mapped[dict] = mapped_column(sa.JSON)
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


# A service's allowed categories are stored as codes; the catalogue shows their titles (C2.4).
register_codes("channel_category", {c.value: (c.title_zh, c.title_en) for c in ChannelCategory})

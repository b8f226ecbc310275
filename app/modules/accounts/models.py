"""Organisations (channel owners), user accounts, API tokens and the login log (S2, S11)."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import ChannelCategory, Role, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = {"comment": "A channel owner: an independent legal entity with a USCC (C2.2)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True, comment="GB 32100 unified social credit code")
    registered_address: Mapped[str] = mapped_column(sa.String(300), default="")
    registration_date: Mapped[date | None] = mapped_column()
    category: Mapped[ChannelCategory] = mapped_column(
        enum_column(ChannelCategory, "channel_category"),
        comment="C1.2: the owner's kind, checked by staff when registered (S3); its channels take this category",
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("role != 'company' OR organisation_id IS NOT NULL", name="company_has_organisation"),
        sa.CheckConstraint(
            "role NOT IN ('municipal_reviewer', 'provincial_reviewer') OR region_code IS NOT NULL",
            name="reviewer_has_region",
        ),
        {"comment": "Real-name accounts (S2), one role each."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64), comment="real name (S2)")
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role | None] = mapped_column(enum_column(Role, "role"), comment="null: role withdrawn (S2)")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), comment="jurisdiction")
    active: Mapped[bool] = mapped_column(default=True)
    locked: Mapped[bool] = mapped_column(default=False)
    locked_until: Mapped[datetime | None] = mapped_column(
        comment="end of a lockout after failures; null: until unlocked"
    )
    failed_logins: Mapped[int] = mapped_column(default=0)
    totp_enabled: Mapped[bool] = mapped_column(default=False, comment="second factor confirmed (S11)")
    totp_secret: Mapped[bytes | None] = mapped_column(sa.LargeBinary, comment="sealed under the master key")
    totp_wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    totp_master_key_id: Mapped[str | None] = mapped_column(sa.String(16))
    totp_last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0, comment="last accepted time step: no reuse")
    last_login_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    region = relationship("Region")

    @property
    def is_active(self) -> bool:
        """An account acts only while enabled and holding a role (S2: a withdrawn role leaves no permission)."""
        return self.active and self.role is not None


class RoleGrant(db.Model):
    __tablename__ = "role_grant"
    __table_args__ = {"comment": "Every grant of a role and jurisdiction to an account, and its withdrawal (S2)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="null: the system")
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.Text, default="", comment="why it was withdrawn")

    granted_by = relationship("User", foreign_keys=[granted_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])
    region = relationship("Region")
    organisation = relationship("Organisation")


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = {"comment": "Bearer tokens for API clients; only the SHA-256 of the token is kept."}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class LoginLog(db.Model):
    __tablename__ = "login_log"
    __table_args__ = {"comment": "Every sign-in attempt (S11)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    method: Mapped[str] = mapped_column(sa.String(16), default="password")
    success: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(64), default="")


class WebSession(db.Model):
    """Server-side sessions: the cookie holds a random token, the database its SHA-256 and the session data, so
    logout and account disabling end a session at once (ASVS 7)."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, comment="SHA-256 of the cookie token")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")


class SignInFailure(db.Model):
    """S11 lockout counted per account and source address, so that failures from one address never lock the account's
    owner out from another (see README, Security)."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "ip", name="uq_sign_in_failure_user_ip"),
        {"comment": "Failed passwords and one-time codes per account and source address (S11 lockout)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    ip: Mapped[str] = mapped_column(sa.String(64), default="", comment="source address; empty: no request")
    failures: Mapped[int] = mapped_column(default=0, comment="failures since the window began")
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(comment="this address may not try this account before")

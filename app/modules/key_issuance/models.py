"""Channel keys (C2.6 test key; C5.1 lifecycle). Secrets exist only sealed under the platform master key."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import KeyEnvironment, KeyStatus, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class ChannelKey(db.Model):
    __tablename__ = "channel_key"
    __table_args__ = {"comment": "Channel keys; the secret is envelope-encrypted, never stored in clear."}

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(sa.String(40), unique=True, comment="public key identifier")
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"), index=True)
    environment: Mapped[KeyEnvironment] = mapped_column(enum_column(KeyEnvironment, "key_environment"))
    algorithm: Mapped[str] = mapped_column(sa.String(32))
    fingerprint: Mapped[str] = mapped_column(sa.String(64), comment="SHA-256 of the secret, hex")
    status: Mapped[KeyStatus] = mapped_column(enum_column(KeyStatus, "key_status"))
    secret_ciphertext: Mapped[bytes] = mapped_column(sa.LargeBinary)
    wrapped_data_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    master_key_id: Mapped[str] = mapped_column(sa.String(16))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    valid_until: Mapped[datetime | None] = mapped_column(comment="after this the key is expired (rotation overlap)")
    rotated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel_key.id"), comment="predecessor")
    status_reason: Mapped[str] = mapped_column(sa.Text, default="", comment="why suspended or revoked")
    last_used_at: Mapped[datetime | None] = mapped_column()

    channel = relationship("Channel", backref="keys")
    issued_by = relationship("User")
    events: Mapped[list["KeyEvent"]] = relationship(order_by="KeyEvent.id", back_populates="key")


class KeyEvent(db.Model):
    """The life of a key (C5.1): issue, rotate, suspend, resume, revoke, expire, destroy."""

    __tablename__ = "key_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("channel_key.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    key: Mapped[ChannelKey] = relationship(back_populates="events")
    actor = relationship("User")


class GatewayNonce(db.Model):
    """Nonces of signed gateway requests seen within the timestamp window: a second use is a replay (C2.1)."""

    __tablename__ = "gateway_nonce"
    __table_args__ = (sa.UniqueConstraint("key_id", "nonce", name="once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(sa.String(40))
    nonce: Mapped[str] = mapped_column(sa.String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

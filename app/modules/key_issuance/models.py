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
    valid_until: Mapped[datetime | None] = mapped_column()

    channel = relationship("Channel", backref="keys")
    issued_by = relationship("User")

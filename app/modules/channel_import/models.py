"""An import of existing channels and the records it created (issue 16): every imported record is marked, and the file
is known by its SHA-256 so that the same file is never imported twice."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db


class ChannelImport(db.Model):
    __tablename__ = "channel_import"
    __table_args__ = {"comment": "One import of existing channels (存量渠道导入): the file's digest, who and when."}

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the imported file")
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    source: Mapped[str] = mapped_column(sa.String(8), comment="web, api or cli")
    counts: Mapped[dict] = mapped_column(sa.JSON, comment="records created, by kind")
    imported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    imported_by = relationship("User")
    records: Mapped[list["ImportedRecord"]] = relationship(
        back_populates="channel_import", order_by="ImportedRecord.id"
    )


class ImportedRecord(db.Model):
    """The mark on a record that came in by an import rather than through the service's own operations."""

    __tablename__ = "imported_record"
    __table_args__ = (
        sa.UniqueConstraint("object_type", "object_id", name="uq_imported_record_object"),
        {"comment": "Records created by an import of existing channels, with the file and line they came from."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("channel_import.id"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32), comment="organisation, channel, agreement, security_report")
    object_id: Mapped[int] = mapped_column()
    sheet: Mapped[str] = mapped_column(sa.String(32), comment="the file of the archive it came from")
    line: Mapped[int] = mapped_column()
    legacy_number: Mapped[bool] = mapped_column(
        default=False, comment="channel: its number predates the numbering scheme and was kept as recorded"
    )

    channel_import: Mapped[ChannelImport] = relationship(back_populates="records")

"""Issued documents (S9): every generated form PDF, its anti-forgery code, digest and the platform's signature."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import ApplicationStatus, enum_column
from app.core.timeutil import utcnow
from app.extensions import db


class Document(db.Model):
    """One rendering of one form of one application. A later state of the application renders a new version; the
    previous one is marked superseded and still verifies as such."""

    __tablename__ = "document"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind", "version", name="uq_document_version"),
        sa.UniqueConstraint("application_id", "kind", "content_sha256", name="uq_document_content"),
        sa.CheckConstraint("kind IN ('form1', 'form2', 'form3')", name="kind"),
        {"comment": "Generated appendix-form PDFs with their anti-forgery codes and signatures (C7.4, S9)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(24), unique=True, comment="anti-forgery code printed on the PDF")
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    version: Mapped[int] = mapped_column()
    content_sha256: Mapped[str] = mapped_column(sa.String(64), comment="content + template version: the cache key")
    application_status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status", 32, constraint=False),
        comment="the application's status when issued",
    )
    file_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    signature: Mapped[str] = mapped_column(sa.String(128), comment="Ed25519 signature of the file digest, base64")
    signing_key_id: Mapped[str] = mapped_column(sa.String(16))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    size: Mapped[int] = mapped_column()
    pages: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    superseded_at: Mapped[datetime | None] = mapped_column()

    application = relationship("Application")

    @property
    def current(self) -> bool:
        return self.superseded_at is None

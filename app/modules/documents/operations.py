"""Issuing and verifying documents (C7.4, S9).

A form is rendered once per content version (the content and the template version hashed together) and served from
storage afterwards. Rendering happens outside the transaction; the file is written under a temporary name and moved
into place, and removed again if the row cannot be recorded — a failure leaves neither a half-written file nor a row.
"""

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from app.core import audit
from app.core.errors import DomainError, NotFound, RuleViolation
from app.core.storage import storage
from app.core.timeutil import utcnow
from app.core.transaction import ConcurrentWrite, transactional
from app.core.uploads import chunks, content_matches, remove_upload
from app.extensions import db
from app.modules.applications.aggregate import lock_application
from app.modules.documents import content as forms
from app.modules.documents.models import Document
from app.modules.documents.render import qr_data_uri, render_pdf, template_version
from app.modules.documents.signing import sign_digest, signing_key_id
from app.modules.reviews.operations import round_steps

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 16


class RenderingFailed(DomainError):
    """The renderer failed: a service fault, reported as 503 (try again) with a clear message, never a bare 500."""

    status = 503
    code = "rendering_failed"


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str | None:
    """Accept the code as printed, in any case, with or without dashes; None when it cannot be one."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def public_base_url() -> str:
    """S9: where the public verification page is reached — `PUBLIC_BASE_URL`, or, unset (development), the address
    the request came to, so a QR code printed on any port or host leads back to this service."""
    configured = current_app.config["PUBLIC_BASE_URL"]
    if configured:
        return configured.rstrip("/")
    return request.host_url.rstrip("/") if has_request_context() else "http://127.0.0.1:5000"


def verify_url(code: str) -> str:
    return f"{public_base_url()}/verify/{code}"


def check_kind(app, kind: str) -> None:
    if kind not in forms.kinds_for(app):
        raise NotFound("该申请没有这种表格", "This application has no such form")


def _content(app) -> dict:
    return forms.application_content(app, round_steps(app) if app.round else [])


def current_document(app, kind: str) -> Document | None:
    return db.session.scalar(
        sa.select(Document).where(
            Document.application_id == app.id, Document.kind == kind, Document.superseded_at.is_(None)
        )
    )


def documents_of(app) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document).where(Document.application_id == app.id).order_by(Document.kind, Document.version)
        )
    )


def issue(app, kind: str, user=None) -> Document:
    """The PDF of `kind` for the application as it stands: the stored one if the content has not changed since, else
    a new version (the previous one superseded)."""
    check_kind(app, kind)
    content = _content(app)
    key = forms.digest(content, template_version())
    existing = db.session.scalar(
        sa.select(Document).where(
            Document.application_id == app.id, Document.kind == kind, Document.content_sha256 == key
        )
    )
    if existing is not None:
        return existing
    code = new_code()
    pdf, pages = _render(kind, forms.for_template(content) | {"code": code, "verify_url": verify_url(code)})
    stored_name = _store(pdf)
    try:
        return _record(app.id, kind, key, code, pdf, pages, stored_name, user)
    except ConcurrentWrite:
        remove_upload(stored_name)  # another request issued the same content first: serve that one
        db.session.rollback()
        return db.session.scalar(
            sa.select(Document).where(Document.application_id == app.id, Document.content_sha256 == key)
        )
    except BaseException:
        remove_upload(stored_name)
        raise


def _render(kind: str, content: dict) -> tuple[bytes, int]:
    try:
        return render_pdf(
            kind, content | {"qr": qr_data_uri(content["verify_url"])} if content.get("code") else content
        )
    except Exception as exc:  # weasyprint raises many kinds; the user gets one clear message
        current_app.logger.exception("rendering %s failed", kind)
        raise RenderingFailed("表格生成失败，请稍后重试", "The form could not be generated; try again later") from exc


def _store(pdf: bytes) -> str:
    stored_name = "doc-" + secrets.token_hex(16)
    storage().put_bytes("uploads", stored_name, pdf, "application/pdf")
    return stored_name


@transactional
def _record(app_id: int, kind: str, key: str, code: str, pdf: bytes, pages: int, stored_name: str, user) -> Document:
    app = lock_application(app_id)
    previous = current_document(app, kind)
    if previous is not None:
        previous.superseded_at = utcnow()
    file_sha256 = hashlib.sha256(pdf).hexdigest()
    document = Document(
        code=code,
        application_id=app.id,
        kind=kind,
        version=(previous.version + 1) if previous else 1,
        content_sha256=key,
        application_status=str(app.status),
        file_sha256=file_sha256,
        signature=sign_digest(file_sha256),
        signing_key_id=signing_key_id(),
        stored_name=stored_name,
        size=len(pdf),
        pages=pages,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.issue",
        document,
        actor=user,
        after={"application": app.number, "kind": kind, "version": document.version, "sha256": file_sha256},
    )
    return document


def blank_form(kind: str) -> bytes:
    """A blank form for offline filling; rendered once per template version and kept in storage. It is not an issued
    document and carries no anti-forgery code."""
    if kind not in forms.FORM_KINDS:
        raise NotFound("没有这种表格", "No such form")
    name, store = f"blank-{kind}-{template_version()}.pdf", storage()
    if not store.exists("uploads", name):
        store.put_bytes("uploads", name, _render(kind, forms.for_template(forms.blank_content()))[0], "application/pdf")
    return store.get_bytes("uploads", name)


def find_by_code(text: str) -> Document:
    code = normalise_code(text)
    if code is None:
        raise RuleViolation(
            "防伪码格式不正确：应为 16 位字母数字（如 ABCD-EFGH-JKLM-NPQR）",
            "Malformed code: 16 letters and digits, e.g. ABCD-EFGH-JKLM-NPQR",
            code="malformed_code",
            fields={"code": ["malformed"]},
            status=400,
        )
    document = db.session.scalar(sa.select(Document).where(Document.code == code))
    if document is None:
        raise NotFound("未找到该防伪码对应的文件：该文件不是本平台出具的", "No document has this code: not issued here")
    return document


@dataclass
class UploadCheck:
    genuine: bool
    sha256: str


def check_upload(document: Document, stream) -> UploadCheck:
    """S9: the same bytes as the issued file → genuine; anything else → not issued by the platform (as this code)."""
    digest, head = hashlib.sha256(), b""
    for chunk in chunks(stream, current_app.config["MAX_UPLOAD_BYTES"]):
        head = head if len(head) >= 8 else (head + chunk)[:8]
        digest.update(chunk)
    if not content_matches("pdf", head):
        raise RuleViolation(
            "上传的文件不是 PDF",
            "The uploaded file is not a PDF",
            code="upload_mismatch",
            fields={"file": ["not a PDF"]},
        )
    sha256 = digest.hexdigest()
    return UploadCheck(sha256 == document.file_sha256, sha256)


def stored_pdf(document: Document) -> bytes:
    """The issued file from storage (ObjectMissing, a 404, if it is gone; StorageUnavailable, a 503)."""
    return storage().get_bytes("uploads", document.stored_name)

"""Uploads: size-limited, type-checked by magic bytes against the declared type, stored under generated names in the
storage's `uploads` area (app.core.storage: a local folder or the object store, never the web root), and removed
again if the transaction that records them fails."""

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.core.errors import RuleViolation
from app.core.storage import spool_file, storage

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
}
# ISO base media files (MP4, QuickTime) carry "ftyp" at offset 4.
BOX_TYPES = {"mp4": b"ftyp", "mov": b"ftyp"}
EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "docx": "docx",
    "xlsx": "xlsx",
    "pptx": "pptx",
    "mp4": "mp4",
    "mov": "mov",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}
CHUNK = 64 * 1024
# Office Open XML packages (ECMA-376): a ZIP with [Content_Types].xml and the main part of the declared kind.
OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


@dataclass
class StoredFile:
    stored_name: str
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str

    def columns(self) -> dict:
        """The columns every stored-file row keeps (attachments, recordings)."""
        return {
            "filename": self.filename,
            "stored_name": self.stored_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def declared_type(filename: str, types=None) -> str:
    types = types or current_app.config["UPLOAD_TYPES"]
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = EXTENSIONS.get(ext)
    if kind is None or kind not in types:
        allowed = ", ".join(types)
        raise RuleViolation(
            f"不支持的文件类型，允许：{allowed}",
            f"File type not accepted; allowed: {allowed}",
            code="upload_type",
            fields={"file": ["type not allowed"]},
        )
    return kind


def content_matches(kind: str, head: bytes) -> bool:
    if kind in BOX_TYPES:
        return head[4:8] == BOX_TYPES[kind]
    return any(head.startswith(sig) for sig in SIGNATURES[kind])


def is_office_package(path: Path, kind: str) -> bool:
    """A ZIP is a docx/xlsx/pptx only if it holds the package's content types and the kind's main part."""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and OFFICE_MAIN_PART[kind] in names


def chunks(stream, limit: int):
    """Read `stream` in CHUNK pieces, refusing it (413) as soon as it passes `limit` bytes."""
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            megabytes = f"{limit / (1024 * 1024):g}"
            raise RuleViolation(
                f"文件超过 {megabytes} MB 上限",
                f"The file exceeds the {megabytes} MB limit",
                code="upload_too_large",
                fields={"file": ["too large"]},
                status=413,
            )
        yield chunk


def save_upload(stream, filename: str, types=None, limit: int | None = None) -> StoredFile:
    """Stream to a temporary file, checking size and signature; move it into storage only when both pass. `types` and
    `limit` default to the ordinary attachment settings (UPLOAD_TYPES, MAX_UPLOAD_BYTES)."""
    filename = os.path.basename(filename or "").strip()[:200] or "upload"
    kind = declared_type(filename, types)
    limit = limit or current_app.config["MAX_UPLOAD_BYTES"]
    stored_name = secrets.token_hex(16)
    partial = spool_file("uploads")
    try:
        size, sha256 = _spool(stream, limit, kind, partial)
        storage().put_file("uploads", stored_name, partial, CONTENT_TYPES[kind])
    finally:
        partial.unlink(missing_ok=True)
    return StoredFile(stored_name, filename, kind, CONTENT_TYPES[kind], size, sha256)


def _spool(stream, limit: int, kind: str, partial: Path) -> tuple[int, str]:
    """Write `stream` to `partial`; (size, SHA-256) when its size and content fit its declared kind."""
    digest, size, head = hashlib.sha256(), 0, b""
    with open(partial, "wb") as out:
        for chunk in chunks(stream, limit):
            size += len(chunk)
            head = head if len(head) >= 16 else (head + chunk)[:16]
            digest.update(chunk)
            out.write(chunk)
    if (
        size == 0
        or not content_matches(kind, head)
        or (kind in OFFICE_MAIN_PART and not is_office_package(partial, kind))
    ):
        raise RuleViolation(
            "文件内容与其类型不符",
            "The file content does not match its declared type",
            code="upload_mismatch",
            fields={"file": ["content does not match type"]},
        )
    return size, digest.hexdigest()


def remove_upload(stored_name: str) -> None:
    storage().delete("uploads", stored_name)

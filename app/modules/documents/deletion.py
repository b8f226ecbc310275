"""The documents domain's parts of a channel's data deletion (C6.5): issued PDFs (files, then rows)."""

from app.core.deletion import delete_files, delete_rows, register_part
from app.modules.documents.models import Document


def document_files(cid: int, scope: dict) -> dict:
    return {"document_files": delete_files(Document, Document.application_id.in_(scope["applications"]))}


def documents(cid: int, scope: dict) -> dict:
    return {"documents": delete_rows(Document, Document.application_id.in_(scope["applications"]))}


register_part("files", 50, document_files)
register_part("application_contents", 30, documents)

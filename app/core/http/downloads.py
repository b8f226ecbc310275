"""Serving stored uploads: always as a download, with the stored content type, never rendered inline; streamed from
the storage (a local folder or the object store)."""

from app.core.errors import NotFound
from app.core.storage import storage


def send_stored_file(stored_name: str, filename: str, content_type: str):
    if not filename:  # a record without its original (imported facts, issue 16)
        raise NotFound("该记录没有原件（存量导入只记录事实）", "This record has no original file (imported facts only)")
    return storage().download("uploads", stored_name, content_type, filename)

"""Serving stored uploads: always as a download, with the stored content type, never rendered inline."""

from flask import send_file

from app.core.errors import NotFound
from app.core.uploads import upload_path


def send_stored_file(stored_name: str, filename: str, content_type: str):
    path = upload_path(stored_name)
    if not filename or not path.exists():  # a record without its original (imported facts, issue 16)
        raise NotFound("该记录没有原件（存量导入只记录事实）", "This record has no original file (imported facts only)")
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=filename)

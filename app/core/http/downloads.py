"""Serving stored uploads: always as a download, with the stored content type, never rendered inline."""

from flask import send_file

from app.core.uploads import upload_path


def send_stored_file(stored_name: str, filename: str, content_type: str):
    return send_file(upload_path(stored_name), mimetype=content_type, as_attachment=True, download_name=filename)

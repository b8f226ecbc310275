"""Logs as operators read them: one JSON object per line (LOG_FORMAT=json, production's default) or plain text
(development), at LOG_LEVEL (INFO), on standard error where gunicorn and systemd's journal collect them.

Each line has its time (UTC, ISO 8601), level, logger and message, the request's id, method, path (never the query
string), endpoint and user when there is a request, the fields a caller passes (`extra={"fields": {...}}`) and the
traceback of an exception. Whatever a field or message is called, the values of secret-bearing names (passwords,
one-time codes, secrets, tokens, signatures, cookies, Authorization) are replaced by "[redacted]" before a line is
written; secrets are not passed to loggers in the first place, this is the second line of defence."""

import json
import logging
import re
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

LOGGERS = ("essc", "app")
SECRET_NAMES = re.compile(r"(^|_)(password|passphrase|otp|secret|token|signature|cookie|authorization)s?($|_)", re.I)
SECRET_TEXT = re.compile(r"(?i)(bearer\s+|essc_)[A-Za-z0-9._~+/=-]{8,}")
REDACTED = "[redacted]"


def scrub(value, name: str = ""):
    """A copy of `value` with every secret-bearing field's value redacted (dicts and lists walked)."""
    if name and SECRET_NAMES.search(name) and value not in (None, "", 0):
        return REDACTED
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return SECRET_TEXT.sub(lambda m: m.group(1) + REDACTED, value)
    return value


def request_fields() -> dict:
    if not has_request_context():
        return {}
    fields = {"request_id": g.get("request_id"), "method": request.method, "path": request.path}
    fields["endpoint"] = request.endpoint
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        fields["user_id"] = user.id
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        line |= {k: v for k, v in request_fields().items() if v is not None}
        line |= scrub(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(name)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = scrub(super().format(record))
        fields = scrub(getattr(record, "fields", None) or {})
        request_id = request_fields().get("request_id")
        extra = {"request_id": request_id} if request_id else {}
        extra |= {k: v for k, v in fields.items() if k not in ("event",)}
        return text + (" " + json.dumps(extra, ensure_ascii=False, default=str) if extra else "")


def configure_logging(app: Flask) -> None:
    """One handler on standard error for the service's loggers (replacing any left by an earlier app in the same
    process); the level and the format are settings."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())
    handler.set_name("essc")
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if h.get_name() != "essc"] + [handler]
        logger.setLevel(level)
        logger.propagate = False

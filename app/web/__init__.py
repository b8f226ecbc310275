"""The request-handling base: the route policy check, login, locale, templates helpers, error pages."""

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from app.core import audit
from app.core.crypto import MasterKeyMissing
from app.core.enums import Role
from app.core.errors import HTTP_MESSAGES, DomainError, http_message, with_allow
from app.core.http.api import error_body
from app.core.i18n import code_title, current_locale, format_number, gettext, localized
from app.core.permissions import has_permission
from app.core.timeutil import finalize, format_day, format_moment
from app.extensions import db, login_manager
from app.modules.accounts.models import User
from app.modules.accounts.operations import user_for_token
from app.modules.accounts.sessions import DatabaseSessionInterface
from app.web.navigation import inbox_link, menu
from app.web.policy import AUTHENTICATED, CHANNEL_SIGNED, PUBLIC, ROUTE_POLICY

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The channel gateway (C2.1) authenticates each request by its signature: no session is opened or saved for it.
SESSIONLESS_PATHS = ("/api/v1/channel/",)
ENROLMENT_ENDPOINTS = {"accounts.mfa_setup", "accounts.logout", "accounts.set_locale", "static"}


def init_web(app: Flask) -> None:
    app.session_interface = DatabaseSessionInterface(sessionless=SESSIONLESS_PATHS)
    login_manager.login_view = "accounts.login"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_bearer)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(refuse_nul_characters)
    app.before_request(enforce_policy)
    app.after_request(_security_headers)
    app.jinja_env.globals.update(
        _=gettext,
        locale=current_locale,
        local=format_moment,
        menu=menu,
        inbox_link=inbox_link,
        Role=Role,
        has_permission=lambda p: current_user.is_authenticated and has_permission(current_user.role, p),
    )
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["code"] = code_title
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.finalize = finalize
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(MasterKeyMissing, _key_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected_error)


def _load_user(user_id: str):
    """Session users, for the UI only: the API accepts bearer tokens, never the session cookie."""
    if _is_api():
        return None

    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.locked:
        return None
    return user


def _audit_denial(status: int) -> None:
    """Refused requests are security events: record them (outcome `denied`) in their own transaction."""
    db.session.rollback()
    actor = current_user if current_user.is_authenticated else None
    audit.record(
        "access.denied",
        None,
        actor=actor,
        outcome="denied",
        object_type="route",
        object_id=request.endpoint or request.path[:64],
        after={"method": request.method, "status": status, "path": request.path[:200]},
    )
    db.session.commit()


def _load_user_from_bearer(req):
    """API clients authenticate with a per-user bearer token (`Authorization: Bearer essc_...`)."""
    header = req.headers.get("Authorization", "")
    if not _is_api() or not header.startswith("Bearer "):
        return None
    return user_for_token(header[7:].strip())


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _unauthorized():
    if _is_api():
        return _json_error("unauthenticated", gettext("请先登录"), 401)
    flash(gettext("请先登录"), "warning")
    return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))


def nul_fields() -> list[str]:
    """The request's fields holding a NUL character (U+0000, which no text column can store): path parameters,
    query parameters, form fields and upload file names."""
    found = []
    if "\x00" in request.path:
        found += [
            name for name, value in (request.view_args or {}).items() if isinstance(value, str) and "\x00" in value
        ]
    if b"%00" in request.query_string or b"\x00" in request.query_string:  # the only ways a NUL reaches the args
        found += [name for name, value in request.args.items(multi=True) if "\x00" in name + value]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in ("multipart/form-data", FORM_TYPE):
        found += [name for name, value in request.form.items(multi=True) if "\x00" in name + value]
        found += [name for name, upload in request.files.items(multi=True) if "\x00" in (upload.filename or "")]
    return [name.replace("\x00", "\\0") for name in found]


FORM_TYPE = "application/x-www-form-urlencoded"


def refuse_nul_characters():
    """Hostile input is refused naming the field (422 in the API, 400 on pages), never passed on to a 500."""
    fields = nul_fields()
    if not fields:
        return None
    message = gettext("请求含有空字符（U+0000）：{fields}", fields="、".join(fields))
    if _is_api():
        return _json_error("validation_error", message, 422, {name: ["contains a NUL character"] for name in fields})
    return render_template("errors.html", status=400, message=message), 400


def enforce_policy():
    """Deny by default: every endpoint needs an entry in ROUTE_POLICY; the entry names the permission required."""
    endpoint = request.endpoint
    if endpoint is None:
        return None
    rule = ROUTE_POLICY.get(endpoint)
    if rule is None:
        return _refuse(403)
    if rule is PUBLIC or rule is CHANNEL_SIGNED:
        return None
    if not current_user.is_authenticated:
        return _unauthorized()
    if session.get("mfa_enroll") and endpoint not in ENROLMENT_ENDPOINTS and not _is_api():
        return redirect(url_for("accounts.mfa_setup"))
    if rule is AUTHENTICATED or has_permission(current_user.role, rule):
        return None
    return _refuse(403)


def _refuse(status: int):
    _audit_denial(status)
    if _is_api():
        return _json_error("forbidden", gettext("没有权限"), status)
    return render_template("errors.html", status=status, message=gettext("没有权限")), status


def _json_error(code: str, message: str, status: int, fields: dict | None = None):
    return error_body(code, message, fields, status)


SECURITY_HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def _security_headers(response):
    """Security headers on every response (set here only, no view sets them); private pages are never cached."""
    headers = response.headers
    headers.extend(SECURITY_HEADERS)
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def _domain_error(exc: DomainError):
    if _is_api():
        return _json_error(exc.code, exc.message(current_locale()), exc.status, exc.fields)
    return render_template("errors.html", status=exc.status, message=exc.message(current_locale())), exc.status


def _http_error(exc: HTTPException):
    if _is_api():
        body, status = _json_error(exc.name.lower().replace(" ", "_"), http_message(exc), exc.code)
        return with_allow(body, exc), status
    message = http_message(exc) if exc.code in (413, 429) else gettext(HTTP_MESSAGES.get(exc.code, "请求有误"))
    page = current_app.make_response((render_template("errors.html", status=exc.code, message=message), exc.code))
    return with_allow(page, exc)


def _key_unavailable(exc: MasterKeyMissing):
    """This host lacks a master key the data needs (a rotation's key not staged here): a 503 operators see in the
    log and in /readyz, never a bare 500."""
    db.session.rollback()
    current_app.logger.critical("key unavailable on this host: %s", exc)
    message = gettext("本机缺少所需的密钥，请稍后重试或联系运维人员")
    if _is_api():
        return _json_error("key_unavailable", message, 503)
    return render_template("errors.html", status=503, message=message), 503


def _unexpected_error(exc: Exception):
    db.session.rollback()

    current_app.logger.exception("unexpected error: %s", type(exc).__name__, extra={"fields": {"event": "error"}})
    if _is_api():
        return _json_error("server_error", gettext("系统繁忙，请稍后再试"), 500)
    return render_template("errors.html", status=500, message=gettext("系统繁忙，请稍后再试")), 500

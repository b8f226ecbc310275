"""Throttling with Flask-Limiter (S11, ASVS 2.2): sign-in, one-time codes, API tokens, re-authentication and the public
verification upload.

Two limits guard every endpoint that checks a password or a one-time code, answered with 429 and `Retry-After`:
- per source address, every attempt (SIGN_IN_RATE_PER_ADDRESS): one address cannot flood the slow password hash or
  try many accounts;
- per account, failed attempts only (SIGN_IN_FAILURES_PER_ACCOUNT), from addresses the account has not signed in from
  within KNOWN_ADDRESS_DAYS: guessing one account from many addresses is slowed, while the owner signing in from a
  known address is never throttled by somebody else's failures (re-authentication inside a session always counts).
Together with the lockout per account and address (app/modules/accounts/signin.py) an attacker can neither guess
quickly nor lock the owner out. The public verification upload is limited per address (VERIFY_UPLOAD_RATE).

Counters live in RATELIMIT_STORAGE_URI: memory by default (one process), Redis (`redis://…`) when several processes or
instances serve the service.
"""

import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.core.errors import DomainError
from app.core.http.api import request_json
from app.core.metrics import THROTTLED
from app.core.timeutil import utcnow
from app.extensions import db, limiter
from app.modules.accounts.models import LoginLog, User
from app.web.policy import CHANNEL_SIGNED, ROUTE_POLICY

# Endpoints that check a password or a one-time code.
SIGN_IN_ENDPOINTS = (
    "accounts.login",
    "accounts.verify_code",
    "accounts.reauth",
    "accounts.mfa_setup",
    "api.create_token",
    "api.start_totp_enrolment",
    "api.confirm_totp_enrolment",
    "api.complete_api",
    "api.rotate_key_api",
    "api.revoke_key_api",
    "api.destroy_key_api",
    "api.go_live",
)
UPLOAD_ENDPOINTS = ("documents.verify", "api.check_api")
GUARDED_METHODS = ["POST"]


def _config(name: str):
    return lambda: current_app.config[name]


def account_key() -> str:
    """The account an attempt is about: the signed-in or half-signed-in user, else the username in the request."""
    if current_user.is_authenticated:
        return f"account:{current_user.username}"
    pending = session.get("mfa_user")
    if pending:
        user = db.session.get(User, pending)
        return f"account:{user.username if user else pending}"
    try:
        body = request_json() if request.is_json else None
    except DomainError:
        body = None  # refused by the view itself
    name = (body.get("username") if isinstance(body, dict) else None) or request.form.get("username") or ""
    return f"account:{str(name).strip()[:64]}"


def _known_address() -> bool:
    """Whether the account has signed in from this address within KNOWN_ADDRESS_DAYS (its owner, most likely).
    Re-authentication of a signed-in session is never exempt: only that session can fail it."""
    if current_user.is_authenticated:
        return False
    username = account_key().removeprefix("account:")
    since = utcnow() - timedelta(days=current_app.config["KNOWN_ADDRESS_DAYS"])
    query = sa.select(LoginLog.id).where(
        LoginLog.username == username,
        LoginLog.ip == get_remote_address(),
        LoginLog.reason == "ok",  # a completed sign-in (for staff: with the one-time code)
        LoginLog.at >= since,
    )
    return db.session.scalar(query.limit(1)) is not None


def _note_wait(breached) -> None:
    """On a breach: how long the caller must wait (what Retry-After says), for the 429's message; counted."""
    g.retry_after = max(1, int(breached.reset_at - time.time()))
    THROTTLED.labels(limit=request.endpoint or "unmatched").inc()


def _failed(_response) -> bool:
    return bool(g.get("auth_failed"))


per_address = limiter.shared_limit(
    _config("SIGN_IN_RATE_PER_ADDRESS"), scope="sign-in-address", methods=GUARDED_METHODS, on_breach=_note_wait
)
per_account = limiter.shared_limit(
    _config("SIGN_IN_FAILURES_PER_ACCOUNT"),
    scope="sign-in-account",
    key_func=account_key,
    methods=GUARDED_METHODS,
    deduct_when=_failed,
    exempt_when=_known_address,
    on_breach=_note_wait,
)
uploads = limiter.shared_limit(
    _config("VERIFY_UPLOAD_RATE"), scope="verify-upload", methods=GUARDED_METHODS, on_breach=_note_wait
)
metrics_failures = limiter.shared_limit(
    _config("METRICS_FAILURES_PER_ADDRESS"), scope="metrics", deduct_when=_failed, on_breach=_note_wait
)
# One wrapper per view function, however many app instances are created in one process (tests, CLI): Flask-Limiter
# keeps its limits by function name, and wrapping twice would count every request twice.
_WRAPPED: dict = {}


def _throttled(view, *limits):
    if view not in _WRAPPED:
        wrapped = view
        for limit in reversed(limits):
            wrapped = limit(wrapped)
        _WRAPPED[view] = wrapped
    return _WRAPPED[view]


def _channel_signed() -> bool:
    """The channel gateway (C2.1) is not throttled here: its 256-bit keys cannot be guessed, and its refusals are
    counted by cause (C5.6); the limiter's per-request work would cost it a fifth of its throughput."""
    return ROUTE_POLICY.get(request.endpoint) is CHANNEL_SIGNED


def _not_for_the_gateway(app: Flask) -> None:
    """The limiter's request hooks still weigh its (empty) limits for a filtered request; the gateway skips them."""
    before, after, teardown = (
        hooks[None] for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    )
    check, headers, release = before[-1], after[-1], teardown[-1]  # the hooks init_app has just added
    before[-1] = lambda: None if _channel_signed() else check()
    after[-1] = lambda response: response if _channel_signed() else headers(response)
    teardown[-1] = lambda error=None: None if _channel_signed() else release(error)


def init_throttle(app: Flask) -> None:
    """Attach the limiter and put the limits on the guarded endpoints (after every blueprint is registered)."""
    limiter.init_app(app)
    limiter.request_filter(_channel_signed)
    _not_for_the_gateway(app)
    for endpoint in SIGN_IN_ENDPOINTS:
        app.view_functions[endpoint] = _throttled(app.view_functions[endpoint], per_address, per_account)
    for endpoint in UPLOAD_ENDPOINTS:
        app.view_functions[endpoint] = _throttled(app.view_functions[endpoint], uploads)
    app.view_functions["web.metrics"] = _throttled(app.view_functions["web.metrics"], metrics_failures)

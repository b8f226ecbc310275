"""What operators watch (README, Production → Monitoring).

- Every request has an id: the caller's `X-Request-Id` when it is a plausible one (nginx's $request_id), else a new
  one. It is echoed in the response's `X-Request-Id`, written on every log line of the request, put in error bodies
  and error pages, and kept with every audit entry the request records.
- One log line per request (LOG_REQUESTS): method, path (never the query string), endpoint, status, duration, size,
  client address, user — and the request metrics (by endpoint name, never by path).
- `/healthz` says the process answers (nothing else: a load balancer must not drop every instance because the
  database paused); `/readyz` says whether this instance can serve: database reachable, schema at the migrations'
  head, Redis when configured, storage, and this host's keys. Each check with its time in milliseconds; 503 when one
  fails, naming it and the kind of error (never a secret or an address).
- `/metrics` (Prometheus) only with `Authorization: Bearer <METRICS_TOKEN>`; without the setting there is no such
  page, and a wrong token is the same 404 (and counted against the address: METRICS_FAILURES_PER_ADDRESS)."""

import hmac
import logging
import re
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Flask, Response, abort, current_app, g, request
from flask_login import current_user

from app.core.crypto import check_keys, current_master
from app.core.metrics import LATENCY, REQUESTS, exposition
from app.core.shared_store import shared_store
from app.core.storage import storage
from app.extensions import db, limiter

log = logging.getLogger("essc.requests")
INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
QUIET = frozenset({"web.healthz", "web.readyz", "web.metrics", "static"})
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def init_observability(app: Flask) -> None:
    """The first before-request hook (the id exists for every later hook) and the last after-request hook."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)


def _begin() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if INCOMING_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _end(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id") or ""
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).inc()
    LATENCY.labels(endpoint=endpoint).observe(seconds)
    if current_app.config["LOG_REQUESTS"]:
        fields = {"event": "request", "status": response.status_code, "duration_ms": round(seconds * 1000, 1)}
        fields |= {"bytes": response.content_length, "remote_addr": request.remote_addr}
        if getattr(current_user, "is_authenticated", False):
            fields["user_id"] = current_user.id
        level = logging.DEBUG if endpoint in QUIET else logging.INFO
        log.log(level, "%s %s %s", request.method, request.path, response.status_code, extra={"fields": fields})
    return response


def healthz() -> dict:
    return {"status": "ok"}


def _head_revision() -> str:
    app = current_app._get_current_object()
    head = app.extensions.get("essc_migration_head")
    if head is None:
        script = ScriptDirectory.from_config(AlembicConfig(config_args={"script_location": str(MIGRATIONS)}))
        head = app.extensions["essc_migration_head"] = script.get_current_head()
    return head


def _database() -> None:
    db.session.execute(sa.text("SELECT 1"))


def _migrations() -> None:
    current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    if current != _head_revision():
        raise RuntimeError(f"schema at {current}, migrations at {_head_revision()}: run flask db upgrade")


def _redis() -> None:
    store = shared_store()
    if store is not None:
        store.ping()
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("redis") and not limiter.storage.check():
        raise ConnectionError("the throttle's Redis does not answer")


def _keys() -> None:
    check_keys()
    current_master()


CHECKS = {
    "database": _database,
    "migrations": _migrations,
    "redis": _redis,
    "storage": lambda: storage().check(),
    "keys": _keys,
}


def readyz() -> tuple[dict, int]:
    """Each check in turn, timed; 503 as soon as one fails (the others are still reported)."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        if name == "redis" and not _redis_configured():
            results[name] = {"ok": True, "skipped": "not configured"}
            continue
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:  # any failure makes the instance unready; its kind is reported, never its text
            db.session.rollback()
            ready = False
            results[name] = {"ok": False, "error": _described(name, exc)}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": "ready" if ready else "unready", "checks": results}
    if not ready:
        log.warning("not ready", extra={"fields": {"event": "readiness", "checks": results}})
    return body, 200 if ready else 503


def _redis_configured() -> bool:
    return bool(current_app.config["REDIS_URL"]) or current_app.config["RATELIMIT_STORAGE_URI"].startswith("redis")


def _described(name: str, exc: Exception) -> str:
    """What failed, in words that say nothing secret: the schema's revisions and the missing key's id are fine."""
    if name in ("migrations", "keys"):
        return str(exc)[:300]
    return type(exc).__name__


def metrics() -> Response:
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        g.auth_failed = True
        abort(404)
    return Response(exposition(), mimetype="text/plain; version=0.0.4; charset=utf-8")

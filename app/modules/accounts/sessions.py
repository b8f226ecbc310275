"""Server-side sessions (ASVS 7, S11).

The cookie carries only a random token; the database keeps its SHA-256 with the session data. A session ends at
logout, when the account is locked, disabled or has its password reset, after SESSION_IDLE_MINUTES without a
request, and SESSION_ABSOLUTE_HOURS after sign-in, whichever comes first. Signing in issues a new token (no fixation).
Session rows are written through their own connection, apart from the request's ORM transaction.

Only a session that holds a sign-in (complete or awaiting its one-time code) gets a row. An anonymous visitor's few
values (the CSRF token of the sign-in form, the language, a flash message) travel in a signed cookie of their own
(ANON_COOKIE), so that anonymous pages create no rows; the daily job deletes the rows of ended sessions
(accounts.operations.purge_expired_sessions).
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import request
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts.models import WebSession

TOUCH_SECONDS = 60
ANON_COOKIE = "essc_anon"
SIGNED_IN_KEYS = ("_user_id", "mfa_user")


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, token: str | None = None, stored: bool = False):
        def on_update(_self):
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token, self.stored, self.modified, self.rotate = token, stored, False, False
        self.last_seen = None

    def regenerate(self) -> None:
        """Give this session a new token at the next response (call at sign-in and privilege change)."""
        self.rotate = True
        self.modified = True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _table():
    return WebSession.__table__


def end_sessions_of(user_id: int) -> None:
    """Delete every session of a user (lock, disable, password reset), in the caller's transaction."""
    db.session.execute(sa.delete(_table()).where(_table().c.user_id == user_id))


def store_connection():
    """Sessions are written on a connection of their own, committed at once: a request whose work fails and is rolled
    back keeps its sign-in, and a session write never commits a request's half-done work."""
    return db.engine.begin()


def store_reader():
    return db.engine.connect()


def _signer(app) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="essc-anonymous-session")


class DatabaseSessionInterface(SessionInterface):
    def __init__(self, sessionless: tuple[str, ...] = ()):
        self.sessionless = sessionless  # path prefixes served without a session (Flask's read-only null session)

    def open_session(self, app, request):
        if request.path.startswith(self.sessionless):
            return None
        token = request.cookies.get(self.get_cookie_name(app))
        row = self._row(token) if token else None
        if row is not None and not self._expired(app, row):
            session = ServerSession(row.data, token=token, stored=True)
            session.last_seen = row.last_seen_at
            return session
        return ServerSession(self._anonymous_data(app, request))

    @staticmethod
    def _row(token: str):
        table = _table()
        with store_reader() as conn:
            return conn.execute(sa.select(table).where(table.c.id == _digest(token))).first()

    @staticmethod
    def _anonymous_data(app, request) -> dict:
        raw = request.cookies.get(ANON_COOKIE)
        if not raw:
            return {}
        try:
            data = _signer(app).loads(raw, max_age=app.config["SESSION_ABSOLUTE_HOURS"] * 3600)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _expired(app, row) -> bool:
        now = utcnow()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        return row.last_seen_at + idle < now or row.created_at + absolute < now

    def save_session(self, app, session: ServerSession, response):
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        if not any(key in session for key in SIGNED_IN_KEYS):
            if session.stored:
                self._delete(session.token)
                response.delete_cookie(name, domain=domain, path=path)
            self._save_anonymous(app, session, response)
            return
        if self._had_anonymous():
            response.delete_cookie(ANON_COOKIE, domain=domain, path=path)
        if session.rotate or not session.stored:
            if session.stored:
                self._delete(session.token)
            session.token = secrets.token_urlsafe(32)
            self._insert(session, self._request_meta())
        elif session.modified or self._stale(session):
            self._update(session)
        else:
            return
        self._set_cookie(app, response, name, session.token)

    def _set_cookie(self, app, response, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )
        response.vary.add("Cookie")

    def _save_anonymous(self, app, session: ServerSession, response) -> None:
        """An anonymous session lives in its signed cookie only; nothing is written to the database."""
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if not session:
            if self._had_anonymous():
                response.delete_cookie(ANON_COOKIE, domain=domain, path=path)
            return
        if not (session.modified or session.stored):
            return
        self._set_cookie(app, response, ANON_COOKIE, _signer(app).dumps(dict(session)))

    @staticmethod
    def _had_anonymous() -> bool:
        return ANON_COOKIE in request.cookies

    @staticmethod
    def _stale(session) -> bool:
        return session.last_seen is None or (utcnow() - session.last_seen).total_seconds() > TOUCH_SECONDS

    @staticmethod
    def _request_meta() -> dict:
        return {
            "ip": request.remote_addr,
            "user_agent": (request.headers.get("User-Agent") or "").replace("\x00", "")[:300],
        }

    @staticmethod
    def _user_id(session):
        value = session.get("_user_id")
        return int(value) if value else None

    def _insert(self, session, meta: dict) -> None:
        now = utcnow()
        with store_connection() as conn:
            conn.execute(
                sa.insert(_table()).values(
                    id=_digest(session.token),
                    user_id=self._user_id(session),
                    data=dict(session),
                    created_at=now,
                    last_seen_at=now,
                    **meta,
                )
            )

    def _update(self, session) -> None:
        table = _table()
        with store_connection() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id == _digest(session.token))
                .values(data=dict(session), user_id=self._user_id(session), last_seen_at=utcnow())
            )

    @staticmethod
    def _delete(token: str) -> None:
        table = _table()
        with store_connection() as conn:
            conn.execute(sa.delete(table).where(table.c.id == _digest(token)))

"""Sign-in (S11): password, the one-time-code second factor, re-authentication and the lockout.

Lockout is counted per account *and source address* (`SignInFailure`): LOGIN_MAX_FAILURES wrong passwords or wrong
codes from one address lock that address out of that account for LOCKOUT_MINUTES. The owner signing in from another
address is not affected and keeps their sessions, so failures from anywhere cannot lock a real user out. Guessing
from many addresses is slowed by the per-account throttle (app/web/throttle.py). A wrong code counts like a wrong
password, and a correct password does not reset the count: only a completed sign-in does.

A one-time code is used once even under concurrency: the time step it matched is claimed with a conditional UPDATE
(`totp_last_step < step`), so of two requests carrying the same code exactly one wins.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import audit, totp
from app.core.crypto import Sealed, seal, unseal
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.metrics import SIGN_INS
from app.core.permissions import needs_second_factor
from app.core.timeutil import utcnow, zoned
from app.core.transaction import transactional
from app.extensions import db
from app.modules.accounts.models import LoginLog, SignInFailure, User

# Used so that an unknown username costs the same hashing time as a wrong password.
_DUMMY_HASH: dict[str, str] = {}
# What the login log records (reason, method), with the titles people read (Chinese source, English in the catalogue).
OUTCOME_TITLES = {
    "ok": N_("登录成功"),
    "password_ok": N_("密码正确，待输入动态口令"),
    "wrong_password": N_("密码错误"),
    "wrong_code": N_("动态口令错误或已使用"),
    "locked": N_("该地址已被锁定"),
    "unknown_user": N_("用户名不存在"),
    "disabled": N_("账户已停用"),
    "no_role": N_("账户无角色"),
}
METHOD_TITLES = {
    "password": N_("密码"),
    "totp": N_("动态口令"),
    "reauth": N_("重新验证身份"),
    "totp_enrol": N_("启用动态口令"),
}


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


def _client(ip=None, agent=None) -> tuple[str, str]:
    """The source address and user agent of the current request (or the ones given)."""
    if has_request_context():
        ip = ip if ip is not None else request.remote_addr
        agent = agent if agent is not None else request.headers.get("User-Agent")
    return (ip or "")[:64], (agent or "").replace("\x00", "")[:300]


def _log_login(username: str, user: User | None, success: bool, reason: str, ip, agent, method="password"):
    SIGN_INS.labels(outcome=reason).inc()
    db.session.add(
        LoginLog(
            username=username[:64],
            user_id=user.id if user else None,
            success=success,
            reason=reason,
            ip=ip or None,
            user_agent=agent,
            method=method,
        )
    )


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:  # built once per method: only the check runs per attempt, as for a real user
            _DUMMY_HASH[method] = generate_password_hash("x" * 16, method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return False
    return check_password_hash(user.password_hash, password)


def address_locked(user: User, ip: str) -> bool:
    """S11: whether this address is locked out of this account now (or the account is locked as a whole)."""
    if user.locked and (user.locked_until is None or user.locked_until > utcnow()):
        return True
    until = db.session.scalar(
        sa.select(SignInFailure.locked_until).where(SignInFailure.user_id == user.id, SignInFailure.ip == ip)
    )
    return until is not None and until > utcnow()


def locked_user_ids(user_ids=None) -> set[int]:
    """The accounts locked out from at least one address now (one statement, for lists and the home page)."""
    query = sa.select(SignInFailure.user_id).where(SignInFailure.locked_until > utcnow()).distinct()
    if user_ids is not None:
        query = query.where(SignInFailure.user_id.in_(list(user_ids)))
    return set(db.session.scalars(query))


def _ensure_failure_row(user: User, ip: str) -> None:
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(SignInFailure).values(user_id=user.id, ip=ip, failures=0, last_failure_at=utcnow())
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["user_id", "ip"]))


def count_failure(user: User, ip: str) -> None:
    """Count a wrong password or code from `ip` atomically; the LOGIN_MAX_FAILURES-th within LOCKOUT_MINUTES locks
    this address out of this account for LOCKOUT_MINUTES (audited). Sessions elsewhere are left alone."""
    if has_request_context():
        g.auth_failed = True  # the per-account throttle counts this request (app/web/throttle.py)
    now, minutes = utcnow(), current_app.config["LOCKOUT_MINUTES"]
    _ensure_failure_row(user, ip)
    table = SignInFailure.__table__
    restart = table.c.last_failure_at < now - timedelta(minutes=minutes)
    failures = db.session.execute(
        sa.update(table)
        .where(table.c.user_id == user.id, table.c.ip == ip)
        .values(failures=sa.case((restart, 1), else_=table.c.failures + 1), last_failure_at=now)
        .returning(table.c.failures)
    ).scalar_one()
    if failures == current_app.config["LOGIN_MAX_FAILURES"]:
        until = now + timedelta(minutes=minutes)
        db.session.execute(
            sa.update(table).where(table.c.user_id == user.id, table.c.ip == ip).values(locked_until=until)
        )
        audit.record(
            "user.lock",
            user,
            before={"locked": False},
            after={"locked": True, "until": zoned(until).isoformat(), "reason": "failures", "ip": ip},
            actor=user,
        )


def _clear_failures(user: User, ip: str) -> None:
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.user_id == user.id, SignInFailure.ip == ip))


def clear_all_failures(user: User) -> None:
    """The administrator's unlock: every address may try again."""
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.user_id == user.id))


def completes_with_password(user: User) -> bool:
    """Whether the password alone completes sign-in (no enrolled second factor to ask for)."""
    return not (requires_mfa(user) and user.totp_enabled)


def _refusal(user: User | None, ip: str) -> str | None:
    if user is None:
        return "unknown_user"
    if not user.active:
        return "disabled"
    if user.role is None:
        return "no_role"
    if address_locked(user, ip):
        return "locked"
    return None


def authenticate(username: str, password: str, ip: str | None = None, agent: str | None = None) -> User:
    """S11: check the password, count failures per account and address, log every attempt.

    The same error, after the same hashing work, for an unknown user, a wrong password and a locked address.
    """
    ip, agent = _client(ip, agent)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = _password_matches(user, password)
    reason = _refusal(user, ip) or ("ok" if ok else "wrong_password")
    if reason == "wrong_password":
        count_failure(user, ip)
    if reason == "ok" and completes_with_password(user):
        _signed_in(user, ip)
    elif reason == "ok":
        reason = "password_ok"  # half-way: the one-time code completes the sign-in
    _log_login(username, user, reason in ("ok", "password_ok"), reason, ip, agent)
    db.session.commit()
    if reason not in ("ok", "password_ok"):
        raise LoginFailed("用户名或密码错误，或账户已锁定", "Wrong username or password, or the account is locked")
    return user


def _signed_in(user: User, ip: str) -> None:
    _clear_failures(user, ip)
    user.failed_logins = 0
    user.last_login_at = utcnow()


def requires_mfa(user: User) -> bool:
    """S11: two-factor authentication for privileged users (every staff role)."""
    return needs_second_factor(user)


def totp_secret(user: User) -> str:
    sealed = Sealed(user.totp_secret, user.totp_wrapped_key, user.totp_master_key_id)
    return unseal(sealed, f"totp:{user.id}").decode()


def pending_totp_secret(user: User) -> str | None:
    """The secret of an enrolment not confirmed yet, unsealed for showing it again (never kept in the session)."""
    if user.totp_enabled or user.totp_secret is None:
        return None
    return totp_secret(user)


@transactional
def start_totp_enrollment(user: User) -> str:
    """A new TOTP secret, sealed under the master key; the second factor is on only once a code confirms it."""
    secret = totp.new_secret()
    sealed = seal(secret.encode(), f"totp:{user.id}")
    user.totp_secret, user.totp_wrapped_key, user.totp_master_key_id = (
        sealed.ciphertext,
        sealed.wrapped_key,
        sealed.master_key_id,
    )
    user.totp_enabled, user.totp_last_step = False, 0
    audit.record("user.totp_start", user, after={"totp_enabled": False}, actor=user)
    return secret


def _second_factor_failed():
    return LoginFailed("动态口令错误或已使用", "Wrong or already used one-time code", code="otp_invalid")


def claim_step(user: User, step: int) -> bool:
    """Claim a matched time step atomically: true for exactly one of any number of concurrent claims."""
    table = User.__table__
    claimed = db.session.execute(
        sa.update(table).where(table.c.id == user.id, table.c.totp_last_step < step).values(totp_last_step=step)
    ).rowcount
    if claimed:
        db.session.refresh(user, ["totp_last_step"])
    return claimed == 1


def _matched_step(user: User, code: str, enrolled: bool) -> int | None:
    if user.totp_secret is None or user.totp_enabled != enrolled:
        return None
    step = totp.accept(totp_secret(user), code, user.totp_last_step)
    return step if step is not None and claim_step(user, step) else None


def _verify_code(user: User, code: str, method: str, *, enrolled: bool = True) -> tuple[str, str]:
    """Check a code for `method` (sign-in, token, re-authentication, enrolment); a wrong one counts and is logged."""
    ip, agent = _client()
    reason = "locked" if address_locked(user, ip) else None
    step = None if reason else _matched_step(user, code, enrolled)
    if step is None:
        reason = reason or "wrong_code"
        if reason == "wrong_code":
            count_failure(user, ip)
        _log_login(user.username, user, False, reason, ip, agent, method=method)
        db.session.commit()
        raise _second_factor_failed()
    return ip, agent


@transactional
def confirm_totp(user: User, code: str) -> None:
    _verify_code(user, code, "totp_enrol", enrolled=False)
    user.totp_enabled = True
    audit.record("user.totp_enable", user, before={"totp_enabled": False}, after={"totp_enabled": True}, actor=user)


def check_second_factor(user: User, code: str, method: str = "totp") -> None:
    """Accept a TOTP code once, even when the same code arrives twice at the same moment (S11). Completes the
    sign-in: the address's failure count starts again."""
    ip, agent = _verify_code(user, code, method)
    _log_login(user.username, user, True, "ok", ip, agent, method=method)
    if method != "reauth":
        _signed_in(user, ip)
    db.session.commit()


def reauthenticate(user: User, password: str, code: str | None) -> None:
    """Fresh proof of identity before revealing a key or changing the second factor: password, and the TOTP code when
    the account has one. Wrong answers count toward the lockout like those at sign-in."""
    ip, agent = _client()
    locked = address_locked(user, ip)
    if locked or not _password_matches(user, password or ""):
        reason = "locked" if locked else "wrong_password"
        if not locked:
            count_failure(user, ip)
        _log_login(user.username, user, False, reason, ip, agent, method="reauth")
        db.session.commit()
        raise LoginFailed("密码错误", "Wrong password", code="reauth_failed")
    if user.totp_enabled:
        check_second_factor(user, code or "", method="reauth")
    else:
        _log_login(user.username, user, True, "ok", ip, agent, method="reauth")
        db.session.commit()

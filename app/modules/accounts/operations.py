"""Account verbs: organisations, users, sign-in with lockout, unlock, password reset, API tokens (S2, S11)."""

import secrets
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from app.core import audit
from app.core.crypto import digest
from app.core.enums import ChannelCategory, Role
from app.core.errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, may
from app.core.timeutil import from_local, utcnow, zoned
from app.core.transaction import transactional
from app.core.validation import check_email, check_phone
from app.extensions import db
from app.modules.accounts import signals
from app.modules.accounts.models import ApiToken, LoginLog, Organisation, RoleGrant, User, WebSession
from app.modules.accounts.rules import is_valid_uscc
from app.modules.accounts.sessions import end_sessions_of
from app.modules.accounts.signin import (  # noqa: F401  (the sign-in verbs are account operations too)
    LoginFailed,
    authenticate,
    check_second_factor,
    clear_all_failures,
    confirm_totp,
    locked_user_ids,
    pending_totp_secret,
    reauthenticate,
    requires_mfa,
    start_totp_enrollment,
    totp_secret,
)
from app.modules.regions.operations import get_regions


def hash_password(password: str) -> str:
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        n = current_app.config["PASSWORD_MIN_LENGTH"]
        raise RuleViolation(
            f"密码至少 {n} 位", f"The password needs at least {n} characters", fields={"password": ["too short"]}
        )
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def organisation_snapshot(org: Organisation) -> dict:
    return {
        "name": org.name,
        "uscc": org.uscc,
        "registered_address": org.registered_address,
        "category": str(org.category) if org.category else None,
    }


def _category(value) -> ChannelCategory:
    try:
        return ChannelCategory(value)
    except ValueError:
        raise RuleViolation(
            "请选择单位类别（人社、政府、全国签约、银行、医药或社会，C1.2）",
            "Choose the organisation's kind (hrss, government, national_signed, bank, medical or social, C1.2)",
            code="C1.2",
            fields={"category": ["unknown"]},
        ) from None


@transactional
def create_organisation(
    name: str, uscc: str, registered_address: str = "", registration_date=None, *, category
) -> Organisation:
    """C2.2: the owner is a legal entity with a valid unified social credit code (GB 32100 check digit). C1.2: its kind
    decides the category of every channel it files; staff record it when they register the organisation, having
    checked its licence (manual review, S3)."""
    category = _category(category)
    uscc = (uscc or "").strip().upper()
    if not is_valid_uscc(uscc):
        raise RuleViolation(
            "统一社会信用代码无效（须为18位且校验位正确，GB 32100）",
            "Invalid unified social credit code (18 characters with a valid GB 32100 check digit)",
            code="C2.2_uscc",
            fields={"uscc": ["invalid"]},
        )
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.uscc == uscc)):
        raise Conflict("该统一社会信用代码已登记", "This USCC is already registered", fields={"uscc": ["duplicate"]})
    org = Organisation(
        name=name.strip(),
        uscc=uscc,
        registered_address=registered_address,
        registration_date=registration_date,
        category=category,
    )
    db.session.add(org)
    audit.record("organisation.create", org, after=organisation_snapshot(org))
    return org


@transactional
def change_organisation_category(admin, organisation_id: int, category, reason: str) -> Organisation:
    """C1.2, S3: only a reviewed change of the organisation changes its kind — by a national permission administrator,
    with the reason (the evidence checked); its channels follow their owner (S4: before and after in the audit log)."""
    if not may(admin, P.organisation_manage):
        raise Forbidden("由权限管理员复核变更单位类别", "A permission administrator reviews and changes the kind")
    guard_organisation_manager(admin)
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound()
    category = _category(category)
    if not (reason or "").strip():
        raise RuleViolation("请说明变更依据", "Give the grounds for the change", fields={"reason": ["required"]})
    before = organisation_snapshot(org)
    org.category = category
    followed = [n for _r, numbers in signals.organisation_category_changed.send(org) for n in numbers or ()]
    audit.record(
        "organisation.category",
        org,
        actor=admin,
        before=before,
        after=organisation_snapshot(org) | {"reason": reason.strip(), "channels": followed},
    )
    return org


def _check_role_binding(role: Role, organisation_id, region_code) -> None:
    if role == Role.company and not organisation_id:
        raise RuleViolation(
            "单位用户必须绑定单位",
            "A company user must belong to an organisation",
            fields={"organisation_id": ["required"]},
        )
    needed = {Role.municipal_reviewer: "city", Role.provincial_reviewer: "province", Role.admin: "province"}.get(role)
    if role == Role.admin and not region_code:
        return  # a national permission administrator; with a province, a provincial one (S2)
    if needed:
        if not region_code:
            raise RuleViolation(
                "审核员必须绑定辖区", "A reviewer needs a jurisdiction", fields={"region_code": ["required"]}
            )
        region = get_regions([region_code], "region_code")[0]
        if region.level != needed:
            raise RuleViolation(
                "地市级审核员须绑定地市，省级审核员须绑定省份",
                "A municipal reviewer is bound to a city, a provincial reviewer to a province",
                fields={"region_code": [f"must be a {needed}"]},
            )


def user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "role": str(user.role),
        "organisation_id": user.organisation_id,
        "region_code": user.region_code,
        "active": user.active,
        "locked": user.locked,
    }


@transactional
def create_user(
    username: str,
    password: str,
    role: Role | str,
    display_name: str,
    *,
    organisation_id=None,
    region_code=None,
    email: str = "",
    phone: str = "",
    actor=None,
) -> User:
    """S2: real-name accounts with one role each, bound to an organisation or jurisdiction where the role needs it.
    Created by `actor` (a permission administrator: only within their reach) or by the system (CLI, demo)."""
    role = Role(role)
    check_email(email, "email")
    check_phone(phone, "phone")
    organisation_id = organisation_id if role == Role.company else None
    region_code = region_code if role in REGIONAL_ROLES else None
    _check_role_binding(role, organisation_id, region_code)
    if actor is not None:
        _guard_reach(actor, role, region_code)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict("用户名已存在", "This username is taken", fields={"username": ["duplicate"]})
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation_id,
        region_code=region_code,
        email=email,
        phone=phone,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(_grant_row(user, actor))
    audit.record("user.create", user, after=user_snapshot(user), actor=actor)
    return user


REGIONAL_ROLES = (Role.municipal_reviewer, Role.provincial_reviewer, Role.admin)


def _grant_row(user: User, actor) -> RoleGrant:
    return RoleGrant(
        user_id=user.id,
        role=user.role,
        region_code=user.region_code,
        organisation_id=user.organisation_id,
        granted_by_id=getattr(actor, "id", None),
    )


def in_reach(admin, role, region_code) -> bool:
    """S2: what a permission administrator may grant. A national administrator (no region): every role and
    jurisdiction. A provincial administrator: reviewer roles inside their province only."""
    if not may(admin, P.user_manage):
        return False
    if admin.region_code is None:
        return True
    if role == Role.provincial_reviewer:
        return region_code == admin.region_code
    if role == Role.municipal_reviewer:
        return bool(region_code) and region_code[:2] == admin.region_code[:2]
    return False


def _guard_reach(admin, role, region_code) -> None:
    if not in_reach(admin, role, region_code):
        where = f"（{region_code}）" if region_code else ""
        raise RuleViolation(
            f"该角色和辖区{where}超出您的授权范围（S2）",
            f"This role and jurisdiction{where} are outside your reach (S2)",
            code="S2",
            fields={"role": ["outside your reach"]},
        )


def last_grant(user: User) -> RoleGrant | None:
    return db.session.scalar(sa.select(RoleGrant).where(RoleGrant.user_id == user.id).order_by(RoleGrant.id.desc()))


def user_in_reach(admin, user: User) -> bool:
    """Whether `admin` manages `user`: by the user's role (or, once withdrawn, its last grant); never themselves for
    grants (checked there)."""
    if user.role is not None:
        return in_reach(admin, user.role, user.region_code)
    grant = last_grant(user)
    return grant is not None and in_reach(admin, grant.role, grant.region_code)


def users_in_reach(admin):
    """The accounts an administrator manages, as a query (a national administrator: all)."""
    query = sa.select(User).order_by(User.id)
    if admin.region_code is None:
        return query
    province = admin.region_code[:2]
    return query.where(
        User.role.in_([Role.municipal_reviewer, Role.provincial_reviewer]), User.region_code.like(f"{province}%")
    )


def is_provincial_admin(user) -> bool:
    return may(user, P.user_manage) and user.region_code is not None


def reach_ids(admin):
    """The ids of the accounts a provincial administrator manages, as a subquery (S2)."""
    return users_in_reach(admin).with_only_columns(User.id).order_by(None).scalar_subquery()


def scope_login_log(user, query):
    """S2, C1.4: a provincial administrator sees the sign-in attempts of the accounts they manage, nothing else
    (not even attempts on unknown usernames); national roles see every attempt."""
    if not is_provincial_admin(user):
        return query
    return query.where(LoginLog.user_id.in_(reach_ids(user)))


def scope_audit(user, query, entry):
    """S2, C1.4: a provincial administrator sees the audit entries made by, or about, the accounts they manage;
    national administrators, operators and auditors see the whole trail."""
    if not is_provincial_admin(user):
        return query
    ids = users_in_reach(user).with_only_columns(sa.cast(User.id, sa.String)).order_by(None).scalar_subquery()
    about_them = sa.and_(entry.object_type == User.__tablename__, entry.object_id.in_(ids))
    return query.where(sa.or_(entry.actor_id.in_(reach_ids(user)), about_them))


def organisations_in_reach(admin):
    """Organisations are not regional: a national administrator manages them all, a provincial one none (S2)."""
    query = sa.select(Organisation).order_by(Organisation.id)
    return query.where(sa.false()) if is_provincial_admin(admin) else query


def guard_organisation_manager(user) -> None:
    if is_provincial_admin(user):
        raise Forbidden(
            "单位不分辖区，由国家级权限管理员登记（S2）",
            "Organisations are registered by a national permission administrator (S2)",
        )


def managed_user(admin, user_id: int) -> User:
    """The account if `admin` manages it, else NotFound (C1.4: nothing outside the reach is shown)."""
    user = db.session.get(User, user_id)
    if user is None or not user_in_reach(admin, user):
        raise NotFound("用户不存在或不在您的管理范围内", "No such user within your reach")
    return user


def _close_grant(user: User, admin, reason: str = "") -> None:
    grant = db.session.scalar(
        sa.select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.withdrawn_at.is_(None))
    )
    if grant is not None:
        grant.withdrawn_at, grant.withdrawn_by_id, grant.reason = utcnow(), admin.id, reason


def _not_self(admin, user: User) -> None:
    if admin.id == user.id:
        raise RuleViolation(
            "不能变更自己的角色（职责分离）",
            "You cannot change your own role (separation of duties)",
            code="S2",
            fields={"role": ["own account"]},
        )


def _jurisdiction_text(user: User) -> str:
    if user.region is not None:
        return f"，辖区：{user.region.name_zh}"
    if user.organisation is not None:
        return f"，单位：{user.organisation.name}"
    return ""


@transactional
def grant_role(admin, user_id: int, role, region_code=None, organisation_id=None) -> User:
    """S2: the permission administrator grants an account a role and jurisdiction (replacing the one it held),
    within their reach; the account's sessions and API tokens end so the new permissions apply at once."""
    user = managed_user(admin, user_id)
    _not_self(admin, user)
    role = Role(role)
    organisation_id = organisation_id if role == Role.company else None
    region_code = region_code if role in REGIONAL_ROLES else None
    _check_role_binding(role, organisation_id, region_code)
    _guard_reach(admin, role, region_code)
    before = user_snapshot(user)
    if (user.role, user.region_code, user.organisation_id) == (role, region_code, organisation_id):
        return user
    _close_grant(user, admin, "replaced")
    user.role, user.region_code, user.organisation_id = role, region_code, organisation_id
    db.session.flush()
    db.session.add(_grant_row(user, admin))
    _revoke_tokens(user)
    end_sessions_of(user.id)
    audit.record("user.role_grant", user, before=before, after=user_snapshot(user), actor=admin)
    signals.role_granted.send(user, admin=admin, jurisdiction=_jurisdiction_text(user))
    return user


@transactional
def withdraw_role(admin, user_id: int, reason: str) -> User:
    """S2: the permission administrator withdraws an account's role: it keeps its history and real name but has no
    permission and cannot sign in until a role is granted again."""
    user = managed_user(admin, user_id)
    _not_self(admin, user)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请说明收回原因", "Give the reason", fields={"reason": ["required"]})
    if user.role is None:
        raise Conflict("该账号已无角色", "This account holds no role", code="no_role")
    before, role = user_snapshot(user), user.role
    _close_grant(user, admin, reason)
    user.role, user.region_code = None, None
    _revoke_tokens(user)
    end_sessions_of(user.id)
    audit.record("user.role_withdraw", user, before=before, after=user_snapshot(user) | {"reason": reason}, actor=admin)
    signals.role_withdrawn.send(user, admin=admin, role=role, reason=reason)
    return user


def grants_of(user: User) -> list[RoleGrant]:
    return list(
        db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user.id).order_by(RoleGrant.id.desc()))
    )


@transactional
def reset_totp(user: User) -> None:
    """The permission administrator clears a lost second factor; the user enrols again at next sign-in."""
    user.totp_enabled, user.totp_secret, user.totp_wrapped_key, user.totp_master_key_id = False, None, None, None
    audit.record("user.totp_reset", user, before={"totp_enabled": True}, after={"totp_enabled": False})
    end_sessions_of(user.id)


@transactional
def set_active(user: User, active: bool) -> None:
    """Disable or re-enable an account; disabling ends its sessions and API tokens at once."""
    before = user_snapshot(user)
    user.active = active
    if not active:
        _revoke_tokens(user)
        end_sessions_of(user.id)
    audit.record("user.enable" if active else "user.disable", user, before=before, after=user_snapshot(user))


def purge_expired_sessions() -> int:
    """Delete the rows of web sessions that ended by idleness or age (daily job, ASVS 3.3); returns how many."""
    now = utcnow()
    idle = now - timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = now - timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    ended = sa.or_(WebSession.last_seen_at < idle, WebSession.created_at < absolute)
    return db.session.execute(sa.delete(WebSession).where(ended)).rowcount


def _revoke_tokens(user: User) -> None:
    for token in db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = utcnow()


@transactional
def unlock_user(user: User) -> None:
    """S11: the permission administrator unlocks an account."""
    before = user_snapshot(user)
    user.locked, user.locked_until, user.failed_logins = False, None, 0
    clear_all_failures(user)
    audit.record("user.unlock", user, before=before, after=user_snapshot(user))


@transactional
def reset_password(user: User, new_password: str) -> None:
    """S11: the permission administrator sets a new password; the account is unlocked and its API tokens revoked."""
    user.password_hash = hash_password(new_password)
    user.locked, user.locked_until, user.failed_logins = False, None, 0
    clear_all_failures(user)
    _revoke_tokens(user)
    end_sessions_of(user.id)
    audit.record("user.reset_password", user, after={"password": "changed"})


@transactional
def create_api_token(user: User) -> str:
    """A bearer token for API clients; returned once, only its SHA-256 is stored."""
    token = "essc_" + secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    row = ApiToken(user_id=user.id, token_hash=digest(token), expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    audit.record(
        "api_token.create", row, after={"user_id": user.id, "expires_at": zoned(row.expires_at).isoformat()}, actor=user
    )
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at < utcnow():
        return None
    user = row.user
    if not user.is_active or (user.locked and (user.locked_until is None or user.locked_until > utcnow())):
        return None
    return user


def _local_day(day: str, field: str = "day"):
    """A filter's local day (YYYY-MM-DD) as its UTC start; a value that is no date is refused, never ignored."""
    try:
        return from_local(datetime.combine(date.fromisoformat(day), time()))
    except (ValueError, DomainError) as exc:
        raise RuleViolation(
            f"日期格式应为 YYYY-MM-DD：{day[:20]}",
            f"Expected a date as YYYY-MM-DD: {day[:20]}",
            fields={field: ["invalid"]},
        ) from exc


def search_login_log(user, username: str = "", outcome: str = "", ip: str = "", day: str = ""):
    """S11: the login log, searchable by username, outcome (success / failure), IP address and local day, within the
    reader's reach (scope_login_log). An invalid outcome or day is a 422 naming the field."""
    query = scope_login_log(user, sa.select(LoginLog).order_by(LoginLog.at.desc(), LoginLog.id.desc()))
    if username:
        query = query.where(LoginLog.username == username)
    if outcome not in ("", "success", "failure"):
        raise RuleViolation(
            "结果只能是 success 或 failure", "outcome is success or failure", fields={"outcome": ["invalid"]}
        )
    if outcome:
        query = query.where(LoginLog.success.is_(outcome == "success"))
    if ip:
        query = query.where(LoginLog.ip == ip)
    if day:
        start = _local_day(day)
        query = query.where(LoginLog.at >= start, LoginLog.at < start + timedelta(days=1))
    return query

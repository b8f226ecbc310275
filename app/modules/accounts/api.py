"""Account API: tokens, the current user, staff and organisation administration (S2, S11)."""

from flask import current_app, request
from flask_login import current_user

from app.core import totp
from app.core.errors import Conflict
from app.core.http.api import api_bp, doc, load_body
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts import schemas as s
from app.modules.accounts.models import User


@api_bp.post("/auth/token")
@doc(
    "Exchange username and password for a bearer token",
    request_schema=s.TokenRequestSchema,
    response_schema=s.TokenSchema,
    tag="accounts",
    status=201,
    public=True,
)
def create_token():
    data = load_body(s.TokenRequestSchema())
    user = _password_step(data)
    if ops.requires_mfa(user):
        if not user.totp_enabled:
            raise ops.LoginFailed(
                "尚未绑定动态口令：请先调用 POST /api/v1/auth/totp-enrolment 绑定（S11）",
                "No second factor enrolled yet: enrol it with POST /api/v1/auth/totp-enrolment first (S11)",
                code="totp_not_enrolled",
            )
        ops.check_second_factor(user, data["otp"])
    return _token(user), 201


def _password_step(data: dict) -> User:
    return ops.authenticate(data["username"], data["password"], request.remote_addr, request.headers.get("User-Agent"))


def _token(user: User) -> dict:
    token = ops.create_api_token(user)
    return {"token": token, "token_type": "Bearer", "expires_in_days": current_app.config["API_TOKEN_DAYS"]}


def _enrolling(data: dict) -> User:
    """A staff account that has no second factor yet, proven by its password (S11)."""
    user = _password_step(data)
    if not ops.requires_mfa(user):
        raise Conflict("该账户不使用动态口令", "This account does not use a one-time code", code="no_second_factor")
    if user.totp_enabled:
        raise Conflict(
            "已绑定动态口令；如设备丢失，请联系权限管理员重置",
            "A second factor is already enrolled; if the device is lost, ask a permission administrator to reset it",
            code="totp_already_enrolled",
        )
    return user


@api_bp.post("/auth/totp-enrolment")
@doc(
    "Staff without a second factor: start enrolment with username and password; the answer holds the TOTP secret "
    "and its otpauth:// URI (once) for the authenticator app. Each call replaces an unconfirmed secret (S11)",
    request_schema=s.TokenRequestSchema,
    response_schema=s.TotpEnrolmentSchema,
    tag="accounts",
    status=201,
    public=True,
)
def start_totp_enrolment():
    user = _enrolling(load_body(s.TokenRequestSchema()))
    secret = ops.start_totp_enrollment(user)
    uri = totp.provisioning_uri(secret, user.username, current_app.config["TOTP_ISSUER"])
    return {"secret": secret, "otpauth_uri": uri}, 201


@api_bp.post("/auth/totp-enrolment/confirmation")
@doc(
    "Staff: confirm the enrolment with the first code the authenticator shows (`otp`); the second factor is on and "
    "the answer is a bearer token, as POST /auth/token would give (S11)",
    request_schema=s.TokenRequestSchema,
    response_schema=s.TokenSchema,
    tag="accounts",
    status=201,
    public=True,
)
def confirm_totp_enrolment():
    data = load_body(s.TokenRequestSchema())
    user = _enrolling(data)
    if ops.pending_totp_secret(user) is None:
        raise Conflict(
            "请先开始绑定（POST /api/v1/auth/totp-enrolment）",
            "Start the enrolment first (POST /api/v1/auth/totp-enrolment)",
            code="totp_not_started",
        )
    ops.confirm_totp(user, data["otp"])
    db.session.commit()
    return _token(user), 201


@api_bp.get("/me")
@doc("The authenticated user", response_schema=s.UserSchema, tag="accounts")
def me():
    return s.UserSchema().dump(current_user)


@api_bp.get("/users")
@doc("List user accounts (permission administrator)", response_schema=s.UserListSchema, tag="accounts")
def list_users():
    """S2: the accounts within the administrator's reach; `locked` also counts lockouts from any address."""
    users = db.session.scalars(ops.users_in_reach(current_user)).all()
    locked = ops.locked_user_ids(u.id for u in users)
    items = s.UserSchema(many=True).dump(users)
    for item in items:
        item["locked"] = item["locked"] or item["id"] in locked
    return {"items": items}


@api_bp.post("/users")
@doc(
    "Create a user account with one role (S2)",
    request_schema=s.UserInSchema,
    response_schema=s.UserSchema,
    tag="accounts",
    status=201,
)
def create_user():
    data = load_body(s.UserInSchema())
    user = ops.create_user(
        actor=current_user,
        username=data["username"],
        password=data["password"],
        role=data["role"],
        display_name=data["display_name"],
        organisation_id=data["organisation_id"],
        region_code=data["region_code"],
        email=data["email"],
        phone=data["phone"],
    )
    return s.UserSchema().dump(user), 201


def _user(user_id: int) -> User:
    """The account if the administrator manages it (S2), else 404."""
    return ops.managed_user(current_user, user_id)


@api_bp.post("/users/<int:user_id>/unlock")
@doc("Unlock an account locked after repeated failures (S11)", response_schema=s.UserSchema, tag="accounts")
def unlock_user(user_id: int):
    user = _user(user_id)
    ops.unlock_user(user)
    return s.UserSchema().dump(user)


@api_bp.put("/users/<int:user_id>/active")
@doc(
    "Disable or re-enable an account; disabling ends its sessions and tokens at once",
    request_schema=s.ActiveInSchema,
    response_schema=s.UserSchema,
    tag="accounts",
)
def set_active(user_id: int):
    user = _user(user_id)
    ops.set_active(user, load_body(s.ActiveInSchema())["active"])
    return s.UserSchema().dump(user)


@api_bp.post("/users/<int:user_id>/totp-reset")
@doc(
    "Clear a user's lost second factor; they enrol again at next sign-in", response_schema=s.UserSchema, tag="accounts"
)
def reset_totp(user_id: int):
    user = _user(user_id)
    ops.reset_totp(user)
    return s.UserSchema().dump(user)


@api_bp.post("/users/<int:user_id>/password")
@doc("Reset a user's password (S11)", request_schema=s.PasswordInSchema, response_schema=s.UserSchema, tag="accounts")
def reset_password(user_id: int):
    user = _user(user_id)
    ops.reset_password(user, load_body(s.PasswordInSchema())["password"])
    return s.UserSchema().dump(user)


@api_bp.get("/organisations")
@doc("List organisations", response_schema=s.OrganisationListSchema, tag="accounts")
def list_organisations():
    orgs = db.session.scalars(ops.organisations_in_reach(current_user)).all()
    return {"items": s.OrganisationSchema(many=True).dump(orgs)}


@api_bp.post("/organisations")
@doc(
    "Register a channel owner; the USCC is checked (C2.2)",
    request_schema=s.OrganisationInSchema,
    response_schema=s.OrganisationSchema,
    tag="accounts",
    status=201,
)
def create_organisation():
    data = load_body(s.OrganisationInSchema())
    ops.guard_organisation_manager(current_user)
    org = ops.create_organisation(
        data["name"], data["uscc"], data["registered_address"], data["registration_date"], category=data["category"]
    )
    return s.OrganisationSchema().dump(org), 201


@api_bp.post("/organisations/<int:org_id>/category")
@doc(
    "Change an organisation's kind after review, with its grounds; its channels follow (C1.2, S3)",
    request_schema=s.OrganisationCategoryInSchema,
    response_schema=s.OrganisationSchema,
    tag="accounts",
)
def change_organisation_category(org_id: int):
    data = load_body(s.OrganisationCategoryInSchema())
    org = ops.change_organisation_category(current_user, org_id, data["category"], data["reason"])
    return s.OrganisationSchema().dump(org)


@api_bp.get("/login-log")
@doc(
    "The login log, searchable by username, outcome, IP and local day (S11)",
    response_schema=s.LoginLogListSchema,
    tag="accounts",
    query={
        "username": {"type": "string"},
        "outcome": {"type": "string", "enum": ["success", "failure"]},
        "ip": {"type": "string"},
        "day": {"type": "string", "format": "date"},
    },
)
def login_log():
    filters = {name: request.args.get(name, "").strip() for name in ("username", "outcome", "ip", "day")}
    return {
        "items": s.LoginLogSchema(many=True).dump(
            db.session.scalars(ops.search_login_log(current_user, **filters).limit(200))
        )
    }


@api_bp.get("/users/<int:user_id>/grants")
@doc("An account's role grants and withdrawals, newest first (S2)", response_schema=s.GrantListSchema, tag="accounts")
def list_grants(user_id: int):
    return {"items": s.GrantSchema(many=True).dump(ops.grants_of(_user(user_id)))}


@api_bp.put("/users/<int:user_id>/role")
@doc(
    "Grant a role and jurisdiction (replacing the current one), within the administrator's reach (S2)",
    request_schema=s.GrantInSchema,
    response_schema=s.UserSchema,
    tag="accounts",
)
def grant_role(user_id: int):
    user = _user(user_id)
    data = load_body(s.GrantInSchema())
    granted = ops.grant_role(current_user, user.id, data["role"], data["region_code"], data["organisation_id"])
    return s.UserSchema().dump(granted)


@api_bp.post("/users/<int:user_id>/role/withdraw")
@doc(
    "Withdraw the account's role, with a reason: it keeps its history but has no permission (S2)",
    request_schema=s.WithdrawInSchema,
    response_schema=s.UserSchema,
    tag="accounts",
)
def withdraw_role(user_id: int):
    user = _user(user_id)
    return s.UserSchema().dump(ops.withdraw_role(current_user, user.id, load_body(s.WithdrawInSchema())["reason"]))

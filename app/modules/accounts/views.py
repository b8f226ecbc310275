"""Account pages: sign-in, locale, own account, staff and organisation administration (S2, S11)."""

from datetime import datetime, timedelta

import segno
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.core import totp
from app.core.errors import DomainError
from app.core.http.forms import apply_error, choices
from app.core.i18n import current_locale
from app.core.i18n import gettext as _
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts import signin
from app.modules.accounts.forms import (
    ActionForm,
    CodeForm,
    GrantForm,
    LoginForm,
    OrganisationCategoryForm,
    OrganisationForm,
    ReauthForm,
    ResetPasswordForm,
    UserForm,
    WithdrawForm,
)
from app.modules.accounts.models import Organisation, User


def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = ops.authenticate(
                form.username.data, form.password.data, request.remote_addr, request.headers.get("User-Agent")
            )
        except ops.LoginFailed:
            flash(_("用户名或密码错误"), "danger")
        else:
            return _after_password(user)
    return render_template("accounts/login.html", form=form)


def _after_password(user):
    """Password accepted: staff finish with their second factor, or enrol one first (S11)."""
    session.clear()
    session.regenerate()
    if ops.requires_mfa(user) and user.totp_enabled:
        session["mfa_user"], session["mfa_since"] = user.id, utcnow().isoformat()
        return redirect(url_for("accounts.verify_code", next=_safe_next()))
    login_user(user)
    if ops.requires_mfa(user):
        session["mfa_enroll"] = True
        return redirect(url_for("accounts.mfa_setup"))
    return redirect(_safe_next() or url_for("web.home"))


def verify_code():
    user = _pending_mfa_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            ops.check_second_factor(user, form.code.data)
        except ops.LoginFailed as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            session.clear()
            session.regenerate()
            login_user(user)
            session["reauth_at"] = utcnow().isoformat()
            return redirect(_safe_next() or url_for("web.home"))
    return render_template("accounts/verify_code.html", form=form)


def _pending_mfa_user():
    user_id, since = session.get("mfa_user"), session.get("mfa_since")
    if not user_id or not since or datetime.fromisoformat(since) < utcnow() - timedelta(minutes=5):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active and not user.locked else None


def mfa_setup():
    """Enrol (or, after fresh re-authentication, replace) the TOTP second factor."""
    if current_user.totp_enabled and not fresh_auth():
        return redirect(url_for("accounts.reauth", next=request.path))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            ops.confirm_totp(current_user, form.code.data)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            session.pop("mfa_enroll", None)
            flash(_("已启用动态口令"), "success")
            return redirect(url_for("web.home"))
    # The pending secret stays sealed in the account row; the session never holds it (ASVS 2.9).
    secret = ops.pending_totp_secret(current_user) if request.method == "POST" else None
    if not secret:
        secret = ops.start_totp_enrollment(current_user)
    uri = totp.provisioning_uri(secret, current_user.username, current_app.config["TOTP_ISSUER"])
    qr = segno.make(uri, error="m").svg_inline(scale=4)
    return render_template("accounts/mfa_setup.html", form=form, secret=secret, uri=uri, qr=qr)


def fresh_auth() -> bool:
    """Whether the user proved their identity within REAUTH_MINUTES (ASVS: before revealing keys, changing factors)."""
    at = session.get("reauth_at")
    window = timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return bool(at) and datetime.fromisoformat(at) >= utcnow() - window


def reauth():
    form = ReauthForm()
    if form.validate_on_submit():
        try:
            ops.reauthenticate(current_user, form.password.data, form.code.data)
        except ops.LoginFailed as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            session["reauth_at"] = utcnow().isoformat()
            return redirect(_safe_next() or url_for("web.home"))
    return render_template("accounts/reauth.html", form=form)


def _safe_next() -> str | None:
    target = request.args.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else None


def logout():
    logout_user()
    session.clear()
    flash(_("已退出登录"), "info")
    return redirect(url_for("accounts.login"))


def set_locale(code: str):
    if code not in ("zh", "en") or not ActionForm().validate_on_submit():
        abort(404 if code not in ("zh", "en") else 400)
    session["locale"] = code
    target = request.referrer or url_for("web.home")
    return redirect(target if target.startswith(request.host_url) else url_for("web.home"))


def account():
    form = ActionForm()
    token = None
    if form.validate_on_submit():
        token = ops.create_api_token(current_user)
    return render_template("accounts/account.html", form=form, token=token)


def list_users():
    """S2: the accounts within the administrator's reach."""
    users = db.session.scalars(ops.users_in_reach(current_user)).all()
    locked = ops.locked_user_ids(u.id for u in users)
    return render_template("accounts/users.html", users=users, locked=locked, form=ActionForm())


def _organisation_choices(form) -> None:
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices([(0, "-")] + [(o.id, f"{o.name} ({o.uscc})") for o in orgs])


def user_detail(user_id: int):
    """S2: one account — its grants history, and the forms to grant another role or withdraw the current one."""
    user = ops.managed_user(current_user, user_id)
    grant_form = GrantForm(role=user.role, organisation_id=user.organisation_id, region_code=user.region_code)
    _organisation_choices(grant_form)
    return render_template(
        "accounts/user.html",
        user=user,
        grants=ops.grants_of(user),
        grant_form=grant_form,
        withdraw_form=WithdrawForm(),
        own=user.id == current_user.id,
    )


def grant_role(user_id: int):
    user = ops.managed_user(current_user, user_id)
    form = GrantForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            ops.grant_role(
                current_user, user.id, form.role.data, form.region_code.data or None, form.organisation_id.data or None
            )
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已授权"), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


def withdraw_role(user_id: int):
    user = ops.managed_user(current_user, user_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            ops.withdraw_role(current_user, user.id, form.reason.data)
        except DomainError as exc:
            flash(exc.message(current_locale()), "danger")
        else:
            flash(_("已收回角色"), "success")
    else:
        flash(_("请说明收回原因"), "danger")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


def new_user():
    form = UserForm()
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices([(0, "-")] + [(o.id, f"{o.name} ({o.uscc})") for o in orgs])
    if form.validate_on_submit():
        try:
            ops.create_user(
                form.username.data,
                form.password.data,
                form.role.data,
                form.display_name.data,
                actor=current_user,
                organisation_id=form.organisation_id.data or None,
                region_code=form.region_code.data or None,
                email=form.email.data or "",
                phone=form.phone.data or "",
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已创建"), "success")
            return redirect(url_for("accounts.list_users"))
    return render_template("accounts/user_form.html", form=form)


def _user(user_id: int) -> User:
    """The account if the administrator manages it (S2), else 404."""
    return ops.managed_user(current_user, user_id)


def unlock_user(user_id: int):
    if ActionForm().validate_on_submit():
        ops.unlock_user(_user(user_id))
        flash(_("已解锁"), "success")
    return redirect(url_for("accounts.list_users"))


def set_active(user_id: int):
    if ActionForm().validate_on_submit():
        ops.set_active(_user(user_id), request.form.get("active") == "1")
        flash(_("已保存"), "success")
    return redirect(url_for("accounts.list_users"))


def reset_totp(user_id: int):
    if ActionForm().validate_on_submit():
        ops.reset_totp(_user(user_id))
        flash(_("已重置动态口令"), "success")
    return redirect(url_for("accounts.list_users"))


def reset_password(user_id: int):
    user = _user(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            ops.reset_password(user, form.password.data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已重置密码"), "success")
            return redirect(url_for("accounts.list_users"))
    return render_template("accounts/reset_password.html", form=form, user=user)


def list_organisations():
    orgs = db.session.scalars(ops.organisations_in_reach(current_user)).all()
    return render_template("accounts/organisations.html", organisations=orgs)


def organisation_category(org_id: int):
    """C1.2, S3: a national permission administrator changes an organisation's kind after review."""
    ops.guard_organisation_manager(current_user)
    org = db.session.get(Organisation, org_id) or abort(404)
    form = OrganisationCategoryForm()
    if request.method == "GET":
        form.category.data = org.category.value
    if form.validate_on_submit():
        try:
            ops.change_organisation_category(current_user, org.id, form.category.data, form.reason.data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已变更单位类别"), "success")
            return redirect(url_for("accounts.list_organisations"))
    return render_template("accounts/organisation_category.html", form=form, org=org)


def new_organisation():
    ops.guard_organisation_manager(current_user)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            ops.create_organisation(
                form.name.data,
                form.uscc.data,
                form.registered_address.data or "",
                form.registration_date.data,
                category=form.category.data,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已创建"), "success")
            return redirect(url_for("accounts.list_organisations"))
    return render_template("accounts/organisation_form.html", form=form)


def login_log():
    filters = {name: request.args.get(name, "").strip() for name in ("username", "outcome", "ip", "day")}
    entries = db.session.scalars(ops.search_login_log(current_user, **filters).limit(200)).all()
    titles = {"outcomes": signin.OUTCOME_TITLES, "methods": signin.METHOD_TITLES}
    return render_template("accounts/login_log.html", entries=entries, **titles, **filters)

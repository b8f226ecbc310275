"""Account pages: sign-in, locale, own account, staff and organisation administration (S2, S11)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.core.errors import DomainError
from app.core.i18n import gettext as _
from app.extensions import db
from app.modules.accounts import operations as ops
from app.modules.accounts.forms import ActionForm, LoginForm, OrganisationForm, ResetPasswordForm, UserForm
from app.modules.accounts.models import LoginLog, Organisation, User
from app.web.forms import apply_error, choices


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
            session.clear()
            login_user(user)
            return redirect(_safe_next() or url_for("web.home"))
    return render_template("accounts/login.html", form=form)


def _safe_next() -> str | None:
    target = request.args.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else None


def logout():
    logout_user()
    session.clear()
    flash(_("已退出登录"), "info")
    return redirect(url_for("accounts.login"))


def set_locale(code: str):
    if code not in ("zh", "en"):
        abort(404)
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
    users = db.session.scalars(sa.select(User).order_by(User.id)).all()
    return render_template("accounts/users.html", users=users, form=ActionForm())


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
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def unlock_user(user_id: int):
    if ActionForm().validate_on_submit():
        ops.unlock_user(_user(user_id))
        flash(_("已解锁"), "success")
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
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.id)).all()
    return render_template("accounts/organisations.html", organisations=orgs)


def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            ops.create_organisation(
                form.name.data, form.uscc.data, form.registered_address.data or "", form.registration_date.data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("已创建"), "success")
            return redirect(url_for("accounts.list_organisations"))
    return render_template("accounts/organisation_form.html", form=form)


def login_log():
    query = sa.select(LoginLog).order_by(LoginLog.at.desc(), LoginLog.id.desc())
    username = request.args.get("username", "").strip()
    if username:
        query = query.where(LoginLog.username == username)
    entries = db.session.scalars(query.limit(200)).all()
    return render_template("accounts/login_log.html", entries=entries, username=username)

"""Workbench cards of the permission administrator (S2, S11): accounts locked out, staff accounts without a second
factor, and failed sign-ins of the last 24 hours — each within the administrator's reach."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from app.core.enums import Role
from app.core.permissions import P
from app.core.timeutil import utcnow
from app.core.workbench import Item, card_from, register_card
from app.modules.accounts.models import LoginLog, SignInFailure, User
from app.modules.accounts.operations import users_in_reach


def _user_item(user: User) -> Item:
    return Item(f"{user.display_name}（{user.username}）", url_for("accounts.user_detail", user_id=user.id))


def locked(admin):
    locked_out = sa.select(SignInFailure.user_id).where(SignInFailure.locked_until > utcnow())
    query = users_in_reach(admin).where(sa.or_(User.locked, User.id.in_(locked_out)))
    return card_from(
        query,
        key="accounts.locked",
        title=("被锁定的账号", "Locked accounts"),
        url=url_for("accounts.list_users"),
        item=_user_item,
        order_by=(User.id,),
        hint=("核实本人后解锁（S11）", "Unlock after checking with the person (S11)"),
    )


def without_second_factor(admin):
    query = users_in_reach(admin).where(
        User.active, User.role.is_not(None), User.role != Role.company, ~User.totp_enabled
    )
    return card_from(
        query,
        key="accounts.no_second_factor",
        title=("尚未启用动态口令的工作人员账号", "Staff accounts without a second factor"),
        url=url_for("accounts.list_users"),
        item=_user_item,
        order_by=(User.id,),
        hint=("首次登录时须绑定动态口令（S11）", "They enrol at their next sign-in (S11)"),
    )


def failed_sign_ins(admin):
    reach = users_in_reach(admin).with_only_columns(User.id).order_by(None)
    query = sa.select(LoginLog).where(
        ~LoginLog.success, LoginLog.at > utcnow() - timedelta(hours=24), LoginLog.user_id.in_(reach)
    )
    return card_from(
        query,
        key="accounts.failed_sign_ins",
        title=("24 小时内登录失败", "Failed sign-ins in 24 hours"),
        url=url_for("accounts.login_log"),
        item=lambda row: Item(f"{row.username} · {row.ip or '-'}", url_for("accounts.login_log"), since=row.at),
        order_by=(LoginLog.at.desc(),),
    )


register_card("accounts.locked", locked, permission=P.user_manage, order=10)
register_card("accounts.no_second_factor", without_second_factor, permission=P.user_manage, order=20)
register_card("accounts.failed_sign_ins", failed_sign_ins, permission=P.user_manage, order=30)

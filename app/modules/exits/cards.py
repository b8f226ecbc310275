"""Workbench cards of the exit workflow (C6.1–C6.3): the provincial opinion asked for, the national decision, the
operator's notification, and the channel's own tasks during its transition (push notice, announcement)."""

import sqlalchemy as sa
from flask import url_for

from app.core.permissions import P
from app.core.workbench import Item, card_from, register_card
from app.modules.exits.models import Exit, ExitOpinion, ExitStatus
from app.modules.exits.operations import visible_exits


def _item(exit_: Exit, **extra) -> Item:
    return Item(f"{exit_.number} · {exit_.channel.name}", url_for("exits.exit_detail", exit_id=exit_.id), **extra)


def opinions(user):
    query = visible_exits(user).where(
        Exit.status == ExitStatus.consulting,
        sa.exists().where(
            ExitOpinion.exit_id == Exit.id,
            ExitOpinion.province_code == user.region_code,
            ExitOpinion.decided_at.is_(None),
        ),
    )
    return card_from(
        query,
        key="exits.opinions",
        title=("待出具意见的渠道退出申请", "Exit applications waiting for our opinion"),
        url=url_for("exits.exits"),
        item=lambda e: _item(e, since=e.filed_at),
        order_by=(Exit.filed_at, Exit.id),
        hint=("本省渠道的自愿退出，部信息中心待省级意见后审批（C6.2）", "The national center decides after us (C6.2)"),
    )


def decisions(user):
    query = visible_exits(user).where(
        Exit.status == ExitStatus.consulting,
        ~sa.exists().where(ExitOpinion.exit_id == Exit.id, ExitOpinion.decided_at.is_(None)),
    )
    return card_from(
        query,
        key="exits.decisions",
        title=("待审批的渠道退出申请", "Exit applications to decide"),
        url=url_for("exits.exits"),
        item=lambda e: _item(e, since=e.filed_at),
        order_by=(Exit.filed_at, Exit.id),
    )


def to_notify(user):
    query = visible_exits(user).where(Exit.status == ExitStatus.approved)
    return card_from(
        query,
        key="exits.notify",
        title=("待通知渠道的退出", "Exits to notify to the channel"),
        url=url_for("exits.exits"),
        item=lambda e: _item(e, since=e.national_decided_at),
        order_by=(Exit.national_decided_at, Exit.id),
        hint=("通知后进入一个月过渡期（C6.2）", "Notifying starts the one-month transition (C6.2)"),
    )


def own_tasks(user):
    query = visible_exits(user).where(
        Exit.status == ExitStatus.transition,
        sa.or_(Exit.push_notice_confirmed_at.is_(None), Exit.announcement_url == ""),
    )
    return card_from(
        query,
        key="exits.tasks",
        title=("退出过渡期待办：推送通知和退出公告", "Exit transition: push notice and announcement due"),
        url=url_for("exits.exits"),
        item=lambda e: _item(e, due=e.transition_end),
        order_by=(Exit.transition_end, Exit.id),
        hint=("过渡期结束前引导用户转至其他渠道并公告（C6.3）", "Point users to other channels and announce (C6.3)"),
    )


register_card("exits.opinions", opinions, permission=P.exit_opinion, order=30)
register_card("exits.decisions", decisions, permission=P.exit_decide, order=30)
register_card("exits.notify", to_notify, permission=P.exit_manage, order=40)
register_card("exits.tasks", own_tasks, permission=P.exit_apply, order=12)

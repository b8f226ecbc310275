"""Exit verbs (C6.1–C6.4, C6.6).

Voluntary: the owner applies at least EXIT_NOTICE_MONTHS (2) before the requested date, with a special reason while the
agreement term runs (C6.1); a level-2 channel's exit is filed by its level-1 owner (C3.3, C6.6). The provincial centers
of the channel's provinces give opinions, then the national center decides; the operator notifies the channel and the
EXIT_TRANSITION_MONTHS (1) transition starts, during which the channel confirms the push notice to its users and
records its public announcement (at least EXIT_ANNOUNCEMENT_DAYS, 15, C6.3). Forced (C6.4): opened by the operator for
one of the causes with evidence, or by the system (level-3 incident, agreement not renewed, overdue security report,
alert not improved); it goes straight into the transition. At the end of the transition the daily job closes the keys
and the portal, completes the exit and deletes the channel's data (C6.5). A level-1 exit takes its level-2 channels."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ChannelStatus, KeyStatus, Role
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel, visible
from app.core.permissions import P, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.core.validation import check_url
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.agreements.models import Agreement
from app.modules.agreements.rules import add_months
from app.modules.applications.numbering import daily_number
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.channels.models import Channel
from app.modules.channels.rules import CONNECTED, liable_organisation_ids
from app.modules.exits.deletion import delete_channel_data
from app.modules.exits.models import CAUSES, Exit, ExitOpinion, ExitStatus
from app.modules.key_issuance.operations import record_event
from app.modules.messaging.operations import send, send_to_operators
from app.modules.monitoring.models import MonitoringRecord
from app.modules.security_tests.models import ReportNotice

OPEN = (ExitStatus.consulting, ExitStatus.approved, ExitStatus.transition)


def visible_exits(user):
    """The exits `user` reaches (registered in exits/scope.py)."""
    return visible("exit", user)


def get_exit(user, exit_id: int) -> Exit:
    found = db.session.scalar(visible_exits(user).where(Exit.id == exit_id))
    if found is None:
        raise NotFound("退出申请不存在", "No such exit")
    return found


def open_exit(channel: Channel) -> Exit | None:
    return db.session.scalar(sa.select(Exit).where(Exit.channel_id == channel.id, Exit.status.in_(OPEN)))


def snapshot(exit_: Exit) -> dict:
    return {"number": exit_.number, "kind": exit_.kind, "cause": exit_.cause, "status": exit_.status}


def _context(exit_: Exit) -> dict:
    channel = exit_.channel
    cause = CAUSES.get(exit_.cause or "", ("自愿退出", "Voluntary exit"))[0]
    return {
        "number": exit_.number,
        "channel": channel.name,
        "channel_number": channel.channel_number or "-",
        "cause": cause,
        "transition_end": exit_.transition_end or "-",
    }


def in_term(channel: Channel, on: date) -> bool:
    """C6.1: whether the channel's agreement term is running."""
    end = db.session.scalar(sa.select(sa.func.max(Agreement.term_end)).where(Agreement.channel_id == channel.id))
    return end is not None and end >= on


def filing_refusal(user, channel: Channel):
    """C3.3/C6.6: a level-1 channel's owner files its exit; a level-2 channel's exit only its level-1 owner."""
    if not may(user, P.exit_apply):
        return Forbidden()
    filer = channel.parent.owner_id if channel.level == 2 else channel.owner_id
    if filer != user.organisation_id:
        return Forbidden(
            "二级渠道的退出由其一级渠道所属单位提出（C3.3、C6.6）"
            if channel.level == 2
            else "只有渠道所属单位可以申请退出",
            "A level-2 channel's exit is filed by its level-1 owner (C3.3, C6.6)"
            if channel.level == 2
            else "Only the channel's owner applies for its exit",
            code="C6.6" if channel.level == 2 else "forbidden",
        )
    if channel.status not in CONNECTED or open_exit(channel) is not None:
        return Conflict("该渠道已在退出流程中或已退出", "The channel is already exiting or has exited", code="exiting")
    return None


def _provinces(channel: Channel) -> list[str]:
    return sorted({r.province_code for r in channel.regions})


@transactional
def apply_exit(user, channel_id: int, requested_date: date, reason: str = "") -> Exit:
    """C6.1: at least two months ahead; a special reason during the agreement term. The provincial centers are asked."""
    channel = get_channel(user, channel_id)
    refusal = filing_refusal(user, channel)
    if refusal:
        raise refusal
    earliest = add_months(today(), current_app.config["EXIT_NOTICE_MONTHS"])
    if requested_date < earliest:
        raise RuleViolation(
            f"自愿退出须至少提前两个月申请，退出日期不得早于 {earliest}（C6.1）",
            f"A voluntary exit is applied for at least two months ahead: not before {earliest} (C6.1)",
            code="C6.1",
            fields={"requested_date": ["too soon"]},
        )
    reason = (reason or "").strip()
    if in_term(channel, today()) and not reason:
        raise RuleViolation(
            "合作协议期内退出须说明特殊原因（C6.1）",
            "During the agreement term an exit needs a special reason (C6.1)",
            code="C6.1",
            fields={"reason": ["required during the term"]},
        )
    exit_ = Exit(
        number=daily_number("E", "exit"),
        channel_id=channel.id,
        kind="voluntary",
        reason=reason,
        requested_date=requested_date,
        status=ExitStatus.consulting,
        filed_by_id=user.id,
    )
    exit_.channel = channel
    exit_.opinions = [ExitOpinion(province_code=code) for code in _provinces(channel)]
    db.session.add(exit_)
    db.session.flush()
    audit.record("exit.apply", exit_, actor=user, after=snapshot(exit_) | {"requested_date": str(requested_date)})
    for reviewer in db.session.scalars(
        sa.select(User).where(
            User.active,
            sa.or_(
                User.role == Role.national_reviewer,
                sa.and_(User.role == Role.provincial_reviewer, User.region_code.in_(_provinces(channel))),
            ),
        )
    ):
        send("exit.applied", _context(exit_), exit_, user_id=reviewer.id)
    return exit_


@transactional
def give_opinion(user, exit_id: int, agree: bool, opinion: str) -> ExitOpinion:
    """C6.2: the provincial center of one of the channel's provinces gives its opinion."""
    exit_ = get_exit(user, exit_id)
    row = next((o for o in exit_.opinions if o.province_code == user.region_code), None)
    if not may(user, P.exit_opinion) or row is None:
        raise NotFound()
    if exit_.status != ExitStatus.consulting or row.decided_at is not None:
        raise Conflict("已给出意见或已不在征求意见阶段", "The opinion is given or no longer asked for", code="decided")
    row.agree, row.opinion, row.decided_by_id, row.decided_at = agree, (opinion or "").strip(), user.id, utcnow()
    audit.record("exit.opinion", exit_, actor=user, after={"province": row.province_code, "agree": agree})
    return row


@transactional
def national_decide(user, exit_id: int, approve: bool, opinion: str) -> Exit:
    """C6.2: the national center decides once every provincial center has given its opinion."""
    if not may(user, P.exit_decide):
        raise Forbidden("由部信息中心审批", "The national info center decides")
    exit_ = get_exit(user, exit_id)
    if exit_.status != ExitStatus.consulting:
        raise Conflict("该退出申请不在审批中", "The exit is not awaiting a decision", code="not_consulting")
    waiting = [o.province_code for o in exit_.opinions if o.decided_at is None]
    if waiting:
        raise Conflict(
            f"尚有省级信息中心未给出意见：{', '.join(waiting)}",
            f"Provincial opinions still missing: {', '.join(waiting)}",
            code="C6.2",
        )
    if not approve and not (opinion or "").strip():
        raise RuleViolation("不同意时须说明理由", "Give the reasons", fields={"opinion": ["required"]})
    before = snapshot(exit_)
    exit_.status = ExitStatus.approved if approve else ExitStatus.rejected
    exit_.national_decided_by_id, exit_.national_decided_at, exit_.national_opinion = user.id, utcnow(), opinion or ""
    audit.record("exit.national_decision", exit_, actor=user, before=before, after=snapshot(exit_))
    send_to_operators("exit.decided", _context(exit_) | {"result": "同意" if approve else "不同意"}, exit_)
    if not approve:
        send("exit.decided", _context(exit_) | {"result": "不同意"}, exit_, organisation_id=exit_.channel.owner_id)
    return exit_


def transition_end(start: date, requested: date | None) -> date:
    """C6.1, C6.2: the transition lasts EXIT_TRANSITION_MONTHS and never ends before the exit date the channel asked
    for — an approval notified early starts the transition at the notice and stretches it to the requested date."""
    end = add_months(start, current_app.config["EXIT_TRANSITION_MONTHS"])
    return max(end, requested) if requested else end


def _start_transition(exit_: Exit, user) -> None:
    start = today()
    exit_.status, exit_.transition_start = ExitStatus.transition, start
    exit_.transition_end = transition_end(start, exit_.requested_date)
    channel = exit_.channel
    # C6.2, C6.3: a live channel keeps serving its users while it points them to other channels; closed at the end
    channel.serving_in_transition = channel.status == ChannelStatus.live
    lifecycle.move(channel, ChannelStatus.exiting, Cause.exit_transition, user, details={"exit": exit_.number})
    for organisation_id in liable_organisation_ids(channel):
        send("exit.transition", _context(exit_), exit_, organisation_id=organisation_id)
    for child in channel.children:  # C6.6: a level-1 exit takes its level-2 channels with it
        if child.status in CONNECTED and open_exit(child) is None:
            taken = Exit(
                number=daily_number("E", "exit"),
                channel_id=child.id,
                kind=exit_.kind,
                cause="parent_exit",
                reason=f"一级渠道退出 {exit_.number}",
                status=ExitStatus.approved,
                filed_by_id=getattr(user, "id", None),
                parent_exit_id=exit_.id,
            )
            taken.channel = child
            db.session.add(taken)
            db.session.flush()
            _start_transition(taken, user)
    audit.record("exit.transition", exit_, actor=user, after=snapshot(exit_) | {"end": str(exit_.transition_end)})


@transactional
def notify(user, exit_id: int) -> Exit:
    """C6.2: the operator notifies the channel of the approved exit; the one-month transition starts."""
    if not may(user, P.exit_manage):
        raise Forbidden("由平台运营机构通知渠道", "The platform operator notifies the channel")
    exit_ = get_exit(user, exit_id)
    if exit_.status != ExitStatus.approved:
        raise Conflict("退出申请尚未获部信息中心同意", "The exit has not been approved", code="not_approved")
    _start_transition(exit_, user)
    return exit_


def _owner_exit(user, exit_id: int) -> Exit:
    exit_ = get_exit(user, exit_id)
    if not may(user, P.exit_apply):
        raise Forbidden()
    if exit_.status != ExitStatus.transition:
        raise Conflict("不在退出过渡期", "The exit is not in its transition", code="not_in_transition")
    return exit_


@transactional
def confirm_push_notice(user, exit_id: int) -> Exit:
    """C6.3: the channel confirms it pushed the notice pointing its users to other channels."""
    exit_ = _owner_exit(user, exit_id)
    exit_.push_notice_confirmed_at = exit_.push_notice_confirmed_at or utcnow()
    audit.record("exit.push_notice", exit_, actor=user, after={"number": exit_.number})
    return exit_


@transactional
def record_announcement(user, exit_id: int, url: str, start: date, end: date) -> Exit:
    """C6.3: the official announcement: its link and dates, posted for at least EXIT_ANNOUNCEMENT_DAYS."""
    exit_ = _owner_exit(user, exit_id)
    check_url(url, "announcement_url")
    days = current_app.config["EXIT_ANNOUNCEMENT_DAYS"]
    if end < start + timedelta(days=days - 1):
        raise RuleViolation(
            f"退出公告须至少公示 {days} 天（C6.3）",
            f"The announcement stays up at least {days} days (C6.3)",
            code="C6.3",
            fields={"announcement_end": ["too short"]},
        )
    exit_.announcement_url, exit_.announcement_start, exit_.announcement_end = url.strip(), start, end
    audit.record("exit.announcement", exit_, actor=user, after={"url": url, "start": str(start), "end": str(end)})
    return exit_


@transactional
def open_forced_exit(user, channel_id: int, cause: str, evidence: str, incident=None) -> Exit:
    """C6.4: the operator (or the system) opens a forced exit for one of the causes, with evidence; the transition
    starts at once and the channel is told."""
    if user is not None and not may(user, P.exit_manage):
        raise Forbidden("只有平台运营机构可以启动强制退出", "Only the platform operator opens a forced exit")
    if cause not in CAUSES or cause == "parent_exit":
        raise RuleViolation(
            "强制退出的原因须为规定的五种之一（C6.4）",
            "A forced exit needs one of the five causes (C6.4)",
            code="C6.4",
            fields={"cause": ["unknown"]},
        )
    if not (evidence or "").strip():
        raise RuleViolation("请说明事实和证据", "Give the facts and evidence", fields={"reason": ["required"]})
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise NotFound()
    current = open_exit(channel)
    if current is not None and current.kind == "forced":
        return current
    if current is not None:  # a voluntary exit in progress becomes forced
        current.status = ExitStatus.rejected
        current.national_opinion = (current.national_opinion + " 因强制退出终止").strip()
    if channel.status not in CONNECTED:
        raise Conflict("该渠道已退出", "The channel has exited", code="exited")
    exit_ = Exit(
        number=daily_number("E", "exit"),
        channel_id=channel.id,
        kind="forced",
        cause=cause,
        reason=evidence.strip(),
        status=ExitStatus.approved,
        filed_by_id=getattr(user, "id", None),
        incident_id=getattr(incident, "id", None),
    )
    exit_.channel = channel
    db.session.add(exit_)
    db.session.flush()
    audit.record("exit.forced", exit_, actor=user, after=snapshot(exit_))
    send_to_operators("exit.forced", _context(exit_), exit_)
    _start_transition(exit_, user)
    return exit_


def _close(exit_: Exit) -> None:
    """C6.2: interfaces closed (every key revoked), portal access closed, the exit completed."""
    channel = exit_.channel
    for key in channel.keys:
        if key.status in (KeyStatus.active, KeyStatus.suspended):
            key.status, key.status_reason = KeyStatus.revoked, f"渠道退出 {exit_.number}"
            record_event(key, "revoke", None, key.status_reason)
    channel.serving_in_transition = False
    lifecycle.move(channel, ChannelStatus.exited, Cause.exit_completed, None, details={"exit": exit_.number})
    exit_.status, exit_.completed_at = ExitStatus.completed, utcnow()
    still_active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Channel)
        .where(
            Channel.owner_id == channel.owner_id, Channel.status.not_in((ChannelStatus.exited, ChannelStatus.withdrawn))
        )
    )
    if not still_active:  # the organisation has no channel left: its portal accounts close
        for account in db.session.scalars(sa.select(User).where(User.organisation_id == channel.owner_id, User.active)):
            account.active = False
    audit.record("exit.complete", exit_, after=snapshot(exit_) | {"portal_closed": not still_active})
    send("exit.completed", _context(exit_), exit_, organisation_id=channel.owner_id)


@transactional
def _close_due(on: date) -> list[int]:
    due = db.session.scalars(
        sa.select(Exit)
        .where(Exit.status == ExitStatus.transition, Exit.transition_end <= on)
        .order_by(Exit.parent_exit_id.is_(None), Exit.id)
    ).all()
    for exit_ in due:
        _close(exit_)
    return [e.id for e in due]


def complete_due(on: date) -> list[int]:
    """The daily job: every exit whose transition has ended is completed — keys revoked, portal closed — in one
    transaction, then each channel's data is deleted step by step (C6.5, resumable). Returns the exits completed."""
    ids = _close_due(on)
    for exit_id in ids:
        delete_channel_data(db.session.get(Exit, exit_id))
    return ids


def _auto_causes(on: date) -> list[tuple[int, str, str]]:
    """C6.4 causes found by the system: agreement not renewed (C4.11), security report overdue (C5.3), an alert still
    open after the improvement period and no approved plan (C4.9)."""
    found = []
    for channel in db.session.scalars(
        sa.select(Channel).where(Channel.forced_exit_cause.is_not(None), Channel.status.in_(CONNECTED))
    ):
        found.append((channel.id, channel.forced_exit_cause, "系统标记"))
    grace = on - timedelta(days=30 * current_app.config["EXIT_GRACE_MONTHS"])
    overdue = sa.select(ReportNotice.channel_id).where(ReportNotice.kind == "overdue", ReportNotice.flagged_on < grace)
    for channel_id in db.session.scalars(overdue.distinct()):
        found.append((channel_id, "security_report_overdue", "安全检测报告逾期未提交"))
    alerts = sa.select(MonitoringRecord.channel_id).where(
        MonitoringRecord.kind == "alert", MonitoringRecord.status == "open", MonitoringRecord.created_at < grace
    )
    for channel_id in db.session.scalars(alerts.distinct()):
        found.append((channel_id, "alert_not_improved", "告警后未改善"))
    return found


@transactional
def open_due_forced_exits(on: date) -> int:
    """The daily job: open the forced exits the system's causes call for (each channel once)."""
    opened = 0
    for channel_id, cause, evidence in _auto_causes(on):
        channel = db.session.get(Channel, channel_id)
        if channel is None or channel.status not in CONNECTED or open_exit(channel) is not None:
            continue
        open_forced_exit(None, channel_id, cause, evidence)
        opened += 1
    return opened


lifecycle.register_forced_exit(open_forced_exit)

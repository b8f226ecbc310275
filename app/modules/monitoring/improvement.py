"""Improvement plans (C4.11): the owner of an alerted channel files an operational improvement plan; the operator
approves or rejects it. Approval resolves the unit's open alerts (their history says why) and lets the agreement
renew at expiry."""

import sqlalchemy as sa

from app.core import audit
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.jurisdiction import get_channel
from app.core.permissions import P, may
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.messaging.operations import send, send_to_operators
from app.modules.monitoring.alerts import open_alerts
from app.modules.monitoring.models import ImprovementPlan, MonitoringEvent, PlanStatus, RecordStatus


@transactional
def file_plan(user, channel_id: int, body: str) -> ImprovementPlan:
    """C4.11: only for a channel with an open alert, by its owner; one plan waits for a decision at a time."""
    channel = get_channel(user, channel_id)
    if not may(user, P.improvement_plan_file):
        raise NotFound()
    body = (body or "").strip()
    if not body:
        raise RuleViolation("请填写运营提升方案", "Write the improvement plan", fields={"body": ["required"]})
    if not open_alerts(channel):
        raise Conflict("该渠道没有未解除的告警，无需提交提升方案", "The channel has no open alert", code="C4.11")
    waiting = db.session.scalar(
        sa.select(ImprovementPlan.id).where(
            ImprovementPlan.channel_id == channel.id, ImprovementPlan.status == PlanStatus.pending
        )
    )
    if waiting:
        raise Conflict("已有提升方案待审核", "A plan is already waiting for a decision", code="pending_exists")
    plan = ImprovementPlan(channel_id=channel.id, body=body, filed_by_id=user.id)
    db.session.add(plan)
    db.session.flush()
    audit.record("improvement_plan.file", plan, actor=user, after={"channel": channel.id})
    context = {"owner": channel.owner.name, "channel": channel.name, "channel_number": channel.channel_number}
    send_to_operators("improvement_plan.filed", context, plan)
    return plan


def get_plan(plan_id: int) -> ImprovementPlan:
    plan = db.session.get(ImprovementPlan, plan_id)
    if plan is None:
        raise NotFound("提升方案不存在", "No such improvement plan")
    return plan


@transactional
def decide_plan(user, plan_id: int, approve: bool, opinion: str) -> ImprovementPlan:
    """The operator's decision (a rejection gives reasons); approval resolves the unit's open alerts (C4.11)."""
    if not may(user, P.monitoring_manage):
        raise Forbidden("只有平台运营机构审核提升方案", "Only the platform operator decides on improvement plans")
    plan = get_plan(plan_id)
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise RuleViolation("不同意时须说明理由", "Give the reasons for a rejection", fields={"opinion": ["required"]})
    if plan.status != PlanStatus.pending:
        raise Conflict("该提升方案已审核", "This plan has been decided", code="already_decided")
    plan.status = PlanStatus.approved if approve else PlanStatus.rejected
    plan.decided_by_id, plan.decided_at, plan.opinion = user.id, utcnow(), opinion
    if approve:
        for alert in open_alerts(plan.channel):
            alert.status, alert.updated_at = RecordStatus.resolved, utcnow()
            db.session.add(
                MonitoringEvent(
                    record_id=alert.id, status=RecordStatus.resolved, reason="运营提升方案已获同意", user_id=user.id
                )
            )
    audit.record("improvement_plan.decide", plan, actor=user, after={"status": plan.status, "opinion": opinion})
    context = {"channel": plan.channel.name, "result": "同意" if approve else "不同意", "opinion": opinion}
    send("improvement_plan.decided", context, plan, organisation_id=plan.channel.owner_id)
    return plan


def plans_of(channel) -> list[ImprovementPlan]:
    return list(
        db.session.scalars(
            sa.select(ImprovementPlan)
            .where(ImprovementPlan.channel_id == channel.id)
            .order_by(ImprovementPlan.id.desc())
        )
    )


def pending_plans() -> list[ImprovementPlan]:
    return list(
        db.session.scalars(
            sa.select(ImprovementPlan).where(ImprovementPlan.status == PlanStatus.pending).order_by(ImprovementPlan.id)
        )
    )

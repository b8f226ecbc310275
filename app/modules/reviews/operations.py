"""Review verbs: open a round's steps, decide a step, return an application (C2.3, C2.6, C2.10, S8)."""

import sqlalchemy as sa

from app.core import audit
from app.core.enums import ApplicationStatus, Stage, StepStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import may
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.core.validation import check_phone
from app.extensions import db
from app.modules.applications.aggregate import lock_application, return_to_applicant
from app.modules.applications.kinds import kind_of, register_round_canceller, register_round_opener
from app.modules.applications.models import Application, RowRegion
from app.modules.messaging.operations import send
from app.modules.regions.operations import get_regions, mainland_provinces
from app.modules.reviews.models import ReviewStep
from app.modules.reviews.rules import STAGE_PERMISSION, plan_steps, province_of, ready_to_open


def round_steps(app: Application, round_no: int | None = None) -> list[ReviewStep]:
    query = sa.select(ReviewStep).where(
        ReviewStep.application_id == app.id, ReviewStep.round == (round_no or app.round)
    )
    return list(db.session.scalars(query.order_by(ReviewStep.id)))


def open_ready_steps(steps: list[ReviewStep]) -> None:
    now = utcnow()
    for step in steps:
        if step.status == StepStatus.waiting and ready_to_open(step, steps):
            step.status, step.opened_at = StepStatus.pending, now


def start_round(app: Application) -> list[ReviewStep]:
    """C2.6 routing: municipal for each requested city, provincial for each province (a province-level region skips
    the municipal step), then the national center and the operator. National scope: every mainland province gives an
    opinion to the national center (C2.3)."""
    routed = kind_of(app).routed_codes
    requested = [(code, province_of(code)) for row in app.rows for code in routed(app, row)]
    mainland = [r.code for r in mainland_provinces()] if app.national_scope else []
    steps = [
        ReviewStep(
            application_id=app.id,
            round=app.round,
            stage=p.stage,
            region_code=p.region_code,
            advisory=p.advisory,
            status=StepStatus.waiting,
        )
        for p in plan_steps(requested, app.national_scope, mainland)
    ]
    db.session.add_all(steps)
    open_ready_steps(steps)
    return steps


def in_jurisdiction(user, step: ReviewStep) -> bool:
    """C1.4: a reviewer acts only inside their own jurisdiction."""
    if not may(user, STAGE_PERMISSION[step.stage]):
        return False
    if step.stage in (Stage.municipal, Stage.provincial):
        return user.region_code == step.region_code
    return True


def decide_refusal(user, step: ReviewStep):
    """Why `user` may not decide `step` now, or None. Views and API both ask this (the UI offers only what works)."""
    if step.stage == Stage.operator:
        return Conflict(*kind_of(step.application).operator_step, code="operator_step")
    if not in_jurisdiction(user, step):
        return Forbidden(
            "此环节不属于您的辖区或角色", "This step is not in your jurisdiction or role", code="not_your_step"
        )
    if step.status == StepStatus.waiting:
        return Conflict(
            "前序环节尚未办结，此环节还不能审核",
            "Earlier steps are not finished; this step is not open yet",
            code="out_of_turn",
        )
    if step.status != StepStatus.pending:
        who = step.reviewer_name or "-"
        return Conflict(
            f"此环节已办结（{step.status.title_zh}，{who}）",
            f"This step has already been closed ({step.status.title_en}, {who})",
            code="already_decided",
        )
    if step.application.status != ApplicationStatus.in_review or step.round != step.application.round:
        return Conflict("申请已不在审核中", "The application is no longer under review", code="not_in_review")
    return None


def _granted_rows(app: Application, granted: dict) -> dict[int, list]:
    """The grant names rows of this application only: an unknown or foreign row is refused, not ignored (C2.3)."""
    rows = {str(row.id): row.id for row in app.rows}
    unknown = [str(key) for key in granted if str(key) not in rows]
    if unknown:
        raise RuleViolation(
            "授予地域只能针对本申请的渠道（C2.3）",
            "A grant can name only the channels of this application (C2.3)",
            code="C2.3",
            fields={f"granted.{key[:20]}": ["not a row of this application"] for key in unknown},
        )
    return {rows[str(key)]: list(value) for key, value in granted.items()}


def _grant_regions(app: Application, granted: dict | None, steps: list[ReviewStep]) -> None:
    """C2.3: the national center grants all or a subset of the requested regions; for a national-scope row it
    decides the regions, by default every province whose provincial center agreed."""
    granted = _granted_rows(app, granted or {})
    agreed = [s.region_code for s in steps if s.stage == Stage.provincial and s.status == StepStatus.approved]
    for row in app.rows:
        chosen = granted.get(row.id)
        if chosen is None:
            chosen = row.region_codes or agreed
        get_regions(chosen, f"granted.{row.id}")
        if not chosen:
            raise RuleViolation(
                f"渠道“{row.name}”未授予任何地域，如不同意请选择不同意",
                f"No region granted to '{row.name}'; reject instead",
                code="C2.3",
                fields={f"granted.{row.id}": ["empty"]},
            )
        extra = [c for c in chosen if c not in row.region_codes]
        if extra and not row.national_scope:
            raise RuleViolation(
                "授予地域只能是申请地域的子集（C2.3）",
                "Granted regions must be a subset of the requested ones (C2.3)",
                code="C2.3",
                fields={f"granted.{row.id}": [f"not requested: {', '.join(extra)}"]},
            )
        for region in row.regions:
            region.granted = region.region_code in chosen
        row.regions.extend(RowRegion(region_code=c, requested=False, granted=True) for c in extra)


def return_application(app: Application, step: ReviewStep, steps: list[ReviewStep]) -> None:
    """C2.10: a rejection goes back to the applicant with its reasons; the round is closed and kept; the kind does
    what else a return means (a production intake's channel goes back to integration testing, C2.8)."""
    return_to_applicant(app, step.opinion)
    kind_of(app).returned(app)
    cancel_open_steps(steps)


def cancel_open_steps(steps: list[ReviewStep]) -> None:
    """Steps still waiting or pending end as cancelled when their round ends early (a return, C2.10; a withdrawal)."""
    for step in steps:
        if step.status in (StepStatus.waiting, StepStatus.pending):
            step.status = StepStatus.cancelled


def _cancel_round(app: Application) -> None:
    cancel_open_steps(round_steps(app))


def step_unit(step: ReviewStep) -> str:
    place = step.region.name_zh if step.region is not None else ""
    return f"{place}{step.stage.title_zh}"


def notify_decision(app: Application, step: ReviewStep, approve: bool) -> None:
    context = {
        "unit": step_unit(step),
        "number": app.number,
        "result": "同意" if approve else "退回",
        "verdict": "同意" if approve else "不同意，申请已退回，请修改后重新提交",
        "opinion": step.opinion or "无",
        "contact": step.contact,
        "phone": step.phone,
    }
    send("review.decided", context, app, organisation_id=app.applicant_id)


def check_decision_inputs(approve: bool, opinion: str, contact: str, phone: str) -> None:
    """C2.10: every decision records opinion, reviewer contact and phone; a rejection must give reasons."""
    fields = {}
    if not approve and not (opinion or "").strip():
        fields["opinion"] = ["reasons required"]
    if not (contact or "").strip():
        fields["contact"] = ["required"]
    if not (phone or "").strip():
        fields["phone"] = ["required"]
    if fields:
        raise RuleViolation(
            "请填写审核意见（不同意时须说明理由）、联系人和联系电话（C2.10）",
            "Give the opinion (reasons when rejecting), contact and phone (C2.10)",
            code="C2.10",
            fields=fields,
        )
    check_phone(phone, "phone")


def record_decision(user, step: ReviewStep, approve: bool, opinion: str, contact: str, phone: str) -> None:
    """Write the C2.10 fields of a decision; only while the step is still pending, so one of two deciders wins."""
    values = dict(
        status=StepStatus.approved if approve else StepStatus.rejected,
        opinion=opinion.strip(),
        reviewer_id=user.id,
        reviewer_name=user.display_name,
        contact=contact.strip(),
        phone=phone.strip(),
        decided_at=utcnow(),
    )
    won = db.session.execute(
        sa.update(ReviewStep).where(ReviewStep.id == step.id, ReviewStep.status == StepStatus.pending).values(**values)
    )
    if won.rowcount != 1:
        raise Conflict("此环节已被他人办结", "Someone else decided this step first", code="already_decided")
    db.session.refresh(step)


@transactional
def decide_step(
    user, step_id: int, approve: bool, opinion: str, contact: str, phone: str, granted: dict | None = None
) -> ReviewStep:
    """Record one reviewer's decision (C2.10). Exactly one of two concurrent deciders wins: the application row is
    locked first and the step is updated only while still pending."""
    check_decision_inputs(approve, opinion, contact, phone)
    step = db.session.get(ReviewStep, step_id)
    if step is None:
        raise NotFound()
    app = lock_application(step.application_id)
    db.session.refresh(step)
    refusal = decide_refusal(user, step)
    if refusal:
        raise refusal
    record_decision(user, step, approve, opinion, contact, phone)
    steps = round_steps(app)
    if approve or step.advisory:
        if step.stage == Stage.national:
            kind_of(app).national_approval(app, lambda: _grant_regions(app, granted, steps))
        open_ready_steps(steps)
    else:
        return_application(app, step, steps)
    status = step.status
    audit.record(
        f"review.{status}",
        step,
        before={"status": "pending"},
        after={
            "status": str(status),
            "stage": str(step.stage),
            "region": step.region_code,
            "application": app.number,
            "application_status": str(app.status),
        },
        actor=user,
    )
    notify_decision(app, step, approve)
    return step


def operator_step(app: Application) -> ReviewStep | None:
    """The operator's step of the current round (the last one of every chain)."""
    return next((s for s in round_steps(app) if s.stage == Stage.operator), None)


def audit_operator_decision(user, app: Application, step: ReviewStep) -> None:
    audit.record(
        f"review.{step.status}",
        step,
        actor=user,
        before={"status": "pending"},
        after={
            "status": str(step.status),
            "stage": "operator",
            "application": app.number,
            "application_status": str(app.status),
        },
    )


register_round_opener(start_round)
register_round_canceller(_cancel_round)

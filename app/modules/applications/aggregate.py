"""The application aggregate every intake kind shares — test intake (C2.6), production intake (C2.8), change of scope
(C4.1): its lock, its guards, its rounds (opened with the content as submitted, closed as approved or returned,
C2.10), the submission notice and the applicant's withdrawal. The test intake's own content (Form 1, C2.2) is in
`operations.py`, the other kinds' in their domains; the review chain connects through `kinds.py`."""

import sqlalchemy as sa

from app.core import audit
from app.core.enums import ApplicationStatus, ChannelStatus
from app.core.errors import Conflict, NotFound, RuleViolation
from app.core.timeutil import utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.applications.kinds import round_cancelled, round_opened
from app.modules.applications.models import Application, ApplicationRound
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.messaging.operations import send

EDITABLE = (ApplicationStatus.draft, ApplicationStatus.returned)


def lock_application(app_id: int) -> Application:
    """Serialise every decision on one application: bump its lock_version first (a row lock on PostgreSQL, the write
    lock on SQLite), then read it fresh."""
    result = db.session.execute(
        sa.update(Application).where(Application.id == app_id).values(lock_version=Application.lock_version + 1)
    )
    if result.rowcount != 1:
        raise NotFound()
    app = db.session.get(Application, app_id, populate_existing=True)
    db.session.refresh(app)
    return app


def guard_editable(app: Application) -> None:
    if app.status not in EDITABLE:
        raise Conflict(
            f"申请当前状态为“{app.status.title_zh}”，不能修改",
            f"The application is {app.status.title_en.lower()} and can no longer be changed",
            code="not_editable",
        )


def raise_problems(problems) -> None:
    fields = {}
    for p in problems:
        fields.setdefault(p.field, []).append(p.en)
    raise RuleViolation(
        "；".join(p.zh for p in problems), "; ".join(p.en for p in problems), code=problems[0].rule, fields=fields
    )


def guard_submittable(app: Application, problems: list) -> None:
    if app.status not in EDITABLE:
        raise Conflict(
            "该申请已提交，不能重复提交", "This application has already been submitted", code="already_submitted"
        )
    if problems:
        raise_problems(problems)


def open_round(user, app: Application, content) -> None:
    """Start the next review round: the application goes into review, the round keeps `content(app)` (the snapshot
    as submitted, C2.10) and the chain is routed (C2.6, C2.8)."""
    before = {"status": str(app.status), "round": app.round}
    app.round += 1
    app.status = ApplicationStatus.in_review
    app.submitted_at = utcnow()
    app.first_submitted_at = app.first_submitted_at or app.submitted_at
    db.session.add(
        ApplicationRound(application_id=app.id, round=app.round, submitted_by_id=user.id, content=content(app))
    )
    round_opened(app)
    audit.record(
        "application.submit", app, before=before, after={"status": str(app.status), "round": app.round}, actor=user
    )


def current_round(app: Application) -> ApplicationRound:
    return db.session.scalar(
        sa.select(ApplicationRound).where(
            ApplicationRound.application_id == app.id, ApplicationRound.round == app.round
        )
    )


def return_to_applicant(app: Application, reasons: str) -> None:
    """C2.10: the application goes back to the applicant; its round is closed as returned with the reasons, and kept."""
    app.status = ApplicationStatus.returned
    round_row = current_round(app)
    round_row.outcome, round_row.closed_at, round_row.reasons = "returned", utcnow(), reasons


def complete(app: Application) -> None:
    """The application is done: completed now, its current round closed as approved."""
    app.status, app.completed_at = ApplicationStatus.completed, utcnow()
    round_row = current_round(app)
    round_row.outcome, round_row.closed_at = "approved", app.completed_at


def notify_submitted(app: Application) -> None:
    context = {
        "number": app.number,
        "kind": app.kind.title_zh,
        "channels": "、".join(r.name for r in app.rows),
        "round": app.round,
    }
    send("application.submitted", context, app, organisation_id=app.applicant_id)


@transactional
def withdraw(user, app: Application) -> Application:
    """The applicant withdraws an application that is not yet approved; open steps are cancelled."""
    app = lock_application(app.id)
    if app.status not in (*EDITABLE, ApplicationStatus.in_review):
        raise Conflict("该申请已不能撤回", "This application can no longer be withdrawn", code="not_withdrawable")
    before = {"status": str(app.status)}
    app.status = ApplicationStatus.withdrawn
    round_cancelled(app)  # the review chain ends the open steps
    for row in app.rows:
        if row.channel is not None and row.channel.status == ChannelStatus.applying:
            lifecycle.move(row.channel, ChannelStatus.withdrawn, Cause.test_intake_withdrawn, user)
        elif row.channel is not None and row.channel.status == ChannelStatus.production_review:
            lifecycle.move(row.channel, ChannelStatus.testing, Cause.production_intake_withdrawn, user)
    audit.record("application.withdraw", app, before=before, after={"status": str(app.status)}, actor=user)
    return app

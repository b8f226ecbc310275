"""Production intake verbs (C2.7–C2.9, C7.3): file Form 3 for a channel in integration testing with its security test
report and two recordings; the same review chain as test intake (municipal and provincial → national); the operator
verifies the recordings step by step and reviews the report; and, with the agreement signed where needed, issues the
production key: the channel goes live."""

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ApplicationKind, ApplicationStatus, ChannelStatus, KeyEnvironment, StepStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, acts_for, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.core.uploads import remove_upload, save_upload
from app.core.validation import check_email, check_phone
from app.extensions import db
from app.modules.agreements.operations import agreement_complete
from app.modules.applications.aggregate import (
    complete,
    guard_editable,
    guard_submittable,
    lock_application,
    notify_submitted,
    open_round,
    raise_problems,
)
from app.modules.applications.kinds import register_kind, register_operator_actions
from app.modules.applications.models import Application, ApplicationRow, RowRegion, RowService
from app.modules.applications.numbering import application_number
from app.modules.applications.operations import snapshot
from app.modules.applications.rules import Problem
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.key_issuance.operations import IssuedKey, issue_key
from app.modules.messaging.operations import send, send_to_operators
from app.modules.production.models import CHECKLIST, PLATFORMS, Recording, RecordingCheck
from app.modules.production.rules import recording_problems, report_problem, verification_problems
from app.modules.reviews.operations import (
    audit_operator_decision,
    check_decision_inputs,
    notify_decision,
    operator_step,
    record_decision,
    return_application,
    round_steps,
)
from app.modules.security_tests.models import SecurityReport

OPEN_STATUSES = (
    ApplicationStatus.draft,
    ApplicationStatus.returned,
    ApplicationStatus.in_review,
    ApplicationStatus.approved,
)


def production_channel(app: Application):
    """The channel a production application is for (Form 3 lists exactly one)."""
    return app.rows[0].channel


def open_application(channel) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .join(ApplicationRow, ApplicationRow.application_id == Application.id)
        .where(
            ApplicationRow.channel_id == channel.id,
            Application.kind == ApplicationKind.production,
            Application.status.in_(OPEN_STATUSES),
        )
    )


def creation_refusal(user, channel):
    """C2.8: only the owner, only from `testing`, one open production application per channel."""
    if not (may(user, P.application_create) and acts_for(user, channel.owner_id)):
        return Forbidden("只有渠道所属单位可以申请正式入网", "Only the channel's owner files its production intake")
    if channel.status != ChannelStatus.testing:
        return Conflict(
            f"只有测试中的渠道可以申请正式入网，该渠道当前状态为“{channel.status.title_zh}”（C2.8）",
            f"Only a channel in integration testing can apply for production; this one is "
            f"{channel.status.title_en.lower()} (C2.8)",
            code="C2.8",
        )
    if open_application(channel) is not None:
        return Conflict(
            "该渠道已有正式入网申请在办理中",
            "This channel already has a production intake in progress",
            code="open_exists",
        )
    return None


def _national_scope(channel) -> bool:
    """Whether the channel was admitted with national scope (C2.3): its production review then asks every province."""
    return bool(
        db.session.scalar(
            sa.select(ApplicationRow.national_scope)
            .join(Application, ApplicationRow.application_id == Application.id)
            .where(ApplicationRow.channel_id == channel.id, Application.kind == ApplicationKind.test)
            .order_by(Application.id.desc())
            .limit(1)
        )
    )


def _row_for(channel) -> ApplicationRow:
    """Form 3's channel row, as granted at test intake: production intake does not change the scope (C4.1 does)."""
    row = ApplicationRow(
        position=1,
        name=channel.name,
        form=channel.form,
        access_mode=channel.access_mode,
        national_scope=_national_scope(channel),
        channel_id=channel.id,
    )
    row.regions = [RowRegion(region_code=r.code, requested=True, granted=True) for r in channel.regions]
    row.services = [RowService(service_code=s.code) for s in channel.services]
    return row


def _report(report_id) -> SecurityReport | None:
    return db.session.get(SecurityReport, report_id) if report_id else None


def _apply_header(app: Application, channel, data: dict) -> None:
    """Contact (S3 checks), fill date and the security report chosen (C2.7)."""
    check_phone(data.get("contact_phone", ""), "contact_phone")
    check_email(data.get("contact_email", ""), "contact_email")
    for name in ("contact_name", "contact_phone", "contact_email", "fill_date"):
        if data.get(name) is not None:
            setattr(app, name, data[name])
    if "security_report_id" not in data:
        return
    report = _report(data["security_report_id"])
    if data["security_report_id"]:  # a chosen report must exist and be usable; none clears the choice
        problem = (
            report_problem(report, channel, today())
            if report is not None
            else Problem("security_report_id", "检测报告不存在", "No such security report", "C2.7")
        )
        if problem:
            raise RuleViolation(problem.zh, problem.en, code=problem.rule, fields={problem.field: [problem.en]})
    app.security_report_id = report.id if report is not None else None


@transactional
def create_production_draft(user, channel, data: dict) -> Application:
    """The owner starts Form 3 (C7.3) for one of its channels in integration testing (C2.8)."""
    refusal = creation_refusal(user, channel)
    if refusal:
        raise refusal
    app = Application(
        kind=ApplicationKind.production,
        status=ApplicationStatus.draft,
        applicant_id=user.organisation_id,
        created_by_id=user.id,
        category=channel.category,
        level=channel.level,
        parent_channel_id=channel.parent_id,
        same_subject=channel.same_subject,
        fill_date=data.get("fill_date") or today(),
    )
    _apply_header(app, channel, data)
    app.rows = [_row_for(channel)]
    app.number = application_number("production", app.fill_date)  # S8: the fill date when the number is given
    db.session.add(app)
    db.session.flush()
    audit.record("application.create", app, after=production_snapshot(app), actor=user)
    return app


@transactional
def update_production_draft(user, app: Application, data: dict) -> Application:
    app = lock_application(app.id)
    guard_editable(app)
    _guard_owner(user, app)
    before = production_snapshot(app)
    _apply_header(app, production_channel(app), data)
    audit.record("application.update", app, before=before, after=production_snapshot(app), actor=user)
    return app


def _guard_owner(user, app: Application) -> None:
    if not (may(user, P.application_create) and acts_for(user, app.applicant_id)):
        raise Forbidden("只有申请单位可以修改申请", "Only the applicant changes its application")
    if app.kind != ApplicationKind.production:
        raise NotFound()


def current_recordings(app: Application) -> dict[str, Recording]:
    rows = db.session.scalars(
        sa.select(Recording).where(Recording.application_id == app.id, Recording.replaced_at.is_(None))
    )
    return {r.platform: r for r in rows}


def evidence_context(app: Application) -> dict:
    """What the pages showing Form 3's attachments need (templates production/_evidence.html)."""
    return {"recordings": current_recordings(app), "platforms": PLATFORMS, "checklist": CHECKLIST}


def production_snapshot(app: Application) -> dict:
    """The snapshot of test intake plus the report and the recordings' digests: kept per round and in the audit."""
    return snapshot(app) | {
        "security_report_id": app.security_report_id,
        "recordings": {p: r.sha256 for p, r in sorted(current_recordings(app).items())} if app.id else {},
    }


def get_recording(app: Application, platform: str) -> Recording:
    recording = current_recordings(app).get(platform)
    if recording is None:
        raise NotFound("录屏不存在", "No such recording")
    return recording


def upload_recording(user, app: Application, platform: str, stream, filename: str) -> Recording:
    """C2.9: a video (MP4 or QuickTime), streamed to storage in chunks and refused beyond MAX_RECORDING_BYTES. The
    file is written first and removed again if the row cannot be recorded: no orphan file, no orphan row."""
    if platform not in PLATFORMS:
        raise NotFound("录屏类型只能是 ios 或 android", "A recording is for ios or android")
    _guard_owner(user, app)
    guard_editable(app)
    config = current_app.config
    stored = save_upload(stream, filename, config["RECORDING_TYPES"], config["MAX_RECORDING_BYTES"])
    try:
        return _record_recording(user, app.id, platform, stored)
    except BaseException:
        remove_upload(stored.stored_name)
        raise


@transactional
def _record_recording(user, app_id: int, platform: str, stored) -> Recording:
    app = lock_application(app_id)
    guard_editable(app)
    previous = current_recordings(app).get(platform)
    if previous is not None:
        previous.replaced_at = utcnow()
    recording = Recording(
        application_id=app.id,
        platform=platform,
        uploaded_by_id=user.id,
        **stored.columns(),
    )
    db.session.add(recording)
    db.session.flush()
    audit.record(
        "recording.upload",
        recording,
        actor=user,
        after={"application": app.number, "platform": platform, "sha256": stored.sha256, "size": stored.size},
    )
    return recording


def submission_problems(app: Application) -> list[Problem]:
    """What stops Form 3 from being submitted: contact (C7.1), a usable report (C2.7), both recordings (C2.9), and the
    channel still in integration testing (C2.8)."""
    channel = production_channel(app)
    problems = []
    if not app.contact_name or not (app.contact_phone or app.contact_email):
        problems.append(Problem("contact_name", "请填写联系人及联系方式", "Give a contact person and details", "C7.3"))
    problem = report_problem(app.security_report, channel, today())
    if problem:
        problems.append(problem)
    problems += recording_problems(current_recordings(app))
    if channel.status != ChannelStatus.testing:
        problems.append(
            Problem(
                "channel",
                f"渠道当前状态为“{channel.status.title_zh}”，不能申请正式入网（C2.8）",
                f"The channel is {channel.status.title_en.lower()}; it cannot apply for production (C2.8)",
                "C2.8",
            )
        )
    return problems


@transactional
def submit_production(user, app: Application) -> Application:
    """Submit Form 3: the chain of C2.8 starts (municipal and provincial → national → operator); the channel is in
    production review until the application completes or comes back."""
    app = lock_application(app.id)
    _guard_owner(user, app)
    guard_submittable(app, submission_problems(app))
    app.report_reviewed_by_id = app.report_reviewed_at = None
    channel = production_channel(app)
    lifecycle.move(channel, ChannelStatus.production_review, Cause.production_intake_filed, user)
    open_round(user, app, production_snapshot)
    notify_submitted(app)
    return app


def verification_refusal(user, app: Application):
    """Why `user` may not verify `app` now, or None: the operator, on a production application whose operator step
    is open (after the national review)."""
    if not may(user, P.production_verify):
        return Forbidden(
            "只有平台运营机构核验录屏和检测报告", "Only the platform operator verifies the recordings and report"
        )
    if app.kind != ApplicationKind.production or app.status != ApplicationStatus.in_review:
        return Conflict("申请不在审核中", "The application is not under review", code="not_in_review")
    step = operator_step(app)
    if step is None or step.status != StepStatus.pending:
        return Conflict(
            "部信息中心审核通过后，运营机构方可核验",
            "The operator verifies after the national info center has approved",
            code="out_of_turn",
        )
    return None


def _guard_verification(user, app_id: int) -> Application:
    app = lock_application(app_id)
    refusal = verification_refusal(user, app)
    if refusal:
        raise refusal
    return app


@transactional
def check_recording(user, app_id: int, platform: str, steps: list[str]) -> Recording:
    """The operator ticks the operations seen in a recording (C2.9); the ticked set replaces the previous one and
    each tick records who and when."""
    app = _guard_verification(user, app_id)
    unknown = [s for s in steps if s not in CHECKLIST]
    if unknown:
        raise RuleViolation(
            f"未知的核验项：{', '.join(unknown)}",
            f"Unknown checklist item(s): {', '.join(unknown)}",
            fields={"steps": unknown},
        )
    recording = get_recording(app, platform)
    before = recording.checked_steps
    wanted = set(steps)
    recording.checks = [c for c in recording.checks if c.step in wanted]
    recording.checks.extend(
        RecordingCheck(step=s, checked_by_id=user.id) for s in CHECKLIST if s in wanted and s not in before
    )
    db.session.flush()
    audit.record(
        "recording.check", recording, actor=user, before={"steps": before}, after={"steps": recording.checked_steps}
    )
    return recording


@transactional
def review_report(user, app_id: int, reviewed: bool) -> Application:
    """The operator records that it has reviewed the security test report (C2.8)."""
    app = _guard_verification(user, app_id)
    before = {"reviewed": app.report_reviewed_at is not None}
    app.report_reviewed_by_id = user.id if reviewed else None
    app.report_reviewed_at = utcnow() if reviewed else None
    audit.record("application.report_review", app, actor=user, before=before, after={"reviewed": reviewed})
    return app


@transactional
def verify(user, app_id: int, approve: bool, opinion: str, contact: str, phone: str) -> Application:
    """The operator's opinion (Form 3's operator box, C2.10 fields). Approval needs both recordings fully checked and
    the report reviewed and still current; a rejection returns the application with its reasons, as in test intake."""
    check_decision_inputs(approve, opinion, contact, phone)
    app = _guard_verification(user, app_id)
    if approve:
        problems = verification_problems(current_recordings(app), app.report_reviewed_at is not None)
        problem = report_problem(app.security_report, production_channel(app), today())
        if problems or problem:
            raise_problems([*problems, *([problem] if problem else [])])
    step = operator_step(app)
    record_decision(user, step, approve, opinion, contact, phone)
    if approve:
        app.status = ApplicationStatus.approved
    else:
        return_application(app, step, round_steps(app))
    audit_operator_decision(user, app, step)
    notify_decision(app, step, approve)
    return app


def go_live_problems(app: Application) -> list[Problem]:
    """What still stands between an approved production application and the production key (C2.8)."""
    channel = production_channel(app)
    problems = []
    if app.status != ApplicationStatus.approved:
        problems.append(
            Problem(
                "status",
                f"申请状态为“{app.status.title_zh}”，审核和核验尚未全部完成",
                f"The application is {app.status.title_en.lower()}: reviews and verification are not all done",
                "C2.8",
            )
        )
    if not agreement_complete(channel):
        problems.append(
            Problem(
                "agreement",
                "合作协议尚未由渠道签署并经运营机构会签（C2.8）",
                "The cooperation agreement is not yet signed by the channel and countersigned by the operator (C2.8)",
                "C2.8",
            )
        )
    problem = report_problem(app.security_report, channel, today())
    if problem:
        problems.append(problem)
    return problems


def go_live_refusal(user, app: Application):
    if not may(user, P.production_verify):
        return Forbidden("只有平台运营机构签发生产密钥", "Only the platform operator issues production keys")
    if app.kind != ApplicationKind.production:
        return NotFound()
    problems = go_live_problems(app)
    if problems:
        return Conflict(
            "；".join(p.zh for p in problems),
            "; ".join(p.en for p in problems),
            code="not_ready",
            fields={p.field: [p.en] for p in problems},
        )
    return None


@transactional
def go_live(user, app_id: int) -> IssuedKey:
    """C2.8: when reviews, verification and (where needed) the agreement are complete, the operator issues the
    production key and the channel is live with the regions and services granted at test intake."""
    app = lock_application(app_id)
    refusal = go_live_refusal(user, app)
    if refusal:
        raise refusal
    channel = production_channel(app)
    lifecycle.move(channel, ChannelStatus.live, Cause.went_live, user)
    channel.live_since = today()
    channel.contact_name, channel.contact_phone = app.contact_name, app.contact_phone
    channel.contact_email = app.contact_email  # C4.2: fixed at production intake
    issued = issue_key(channel, KeyEnvironment.production, user)
    complete(app)
    audit.record("application.complete", app, before={"status": "approved"}, after={"status": "completed"}, actor=user)
    context = {"number": app.number, "channel": channel.name, "channel_number": channel.channel_number}
    send("channel.live", context | {"live_since": channel.live_since}, app, organisation_id=app.applicant_id)
    send_to_operators("channel.live_operators", context | {"key_id": issued.key.key_id}, app)
    return issued


def _return_to_testing(app: Application) -> None:
    """C2.8: a returned production intake puts its channel back into integration testing."""
    for row in app.rows:
        if row.channel.status == ChannelStatus.production_review:
            lifecycle.move(row.channel, ChannelStatus.testing, Cause.production_intake_returned, None)


register_kind(
    ApplicationKind.production,
    operator_step=(
        "运营机构环节在正式入网核验页面办理（录屏核验、检测报告审查）",
        "The operator step is done on the production verification page (recordings and report)",
    ),
    returned=_return_to_testing,
    review_context=evidence_context,
    submit=submit_production,
    forms=lambda app: ["form3"],  # C7.3
    edit_endpoint="production.edit_production",
)


def _operator_actions(app: Application, user) -> dict:
    can_go_live = may(user, P.production_verify) and app.status == ApplicationStatus.approved
    return {"can_verify": verification_refusal(user, app) is None, "can_go_live": can_go_live}


register_operator_actions(ApplicationKind.production, _operator_actions)

"""Security-testing verbs: keep the institution register (C5.4), file reports (C5.3), declare major changes."""

from datetime import date

import sqlalchemy as sa

from app.core import audit
from app.core.enums import ChannelStatus
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.core.permissions import P, acts_for, may
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.core.uploads import remove_upload, save_upload
from app.extensions import db
from app.modules.channels import lifecycle
from app.modules.channels.lifecycle import Cause
from app.modules.channels.models import Channel
from app.modules.security_tests.models import QUALIFICATIONS, Institution, Qualification, SecurityReport, SpotCheck
from app.modules.security_tests.rules import is_current, missing_qualifications, one_year_after

REPORTABLE = (ChannelStatus.testing, ChannelStatus.production_review, ChannelStatus.live, ChannelStatus.suspended)


def _operator(user) -> None:
    if not may(user, P.institution_manage):
        raise Forbidden(
            "只有平台运营机构可以维护检测机构名录", "Only the platform operator keeps the institution register"
        )


@transactional
def create_institution(user, name: str) -> Institution:
    _operator(user)
    if db.session.scalar(sa.select(Institution.id).where(Institution.name == name.strip())):
        raise Conflict("该检测机构已登记", "This institution is already registered", fields={"name": ["duplicate"]})
    institution = Institution(name=name.strip())
    db.session.add(institution)
    audit.record("institution.create", institution, after={"name": institution.name}, actor=user)
    return institution


@transactional
def set_qualification(
    user, institution: Institution, kind: str, certificate_number: str, valid_from: date, valid_until: date
) -> Qualification:
    """C5.4: record one of the four qualifications with its certificate number and validity."""
    _operator(user)
    if kind not in QUALIFICATIONS:
        raise RuleViolation("未知的资质类型", "Unknown qualification", code="C5.4", fields={"kind": ["unknown"]})
    if valid_from > valid_until:
        raise RuleViolation(
            "有效期起始日期晚于截止日期",
            "The validity starts after it ends",
            fields={"valid_until": ["before valid_from"]},
        )
    qualification = next((q for q in institution.qualifications if q.kind == kind), None)
    before = None
    if qualification is None:
        qualification = Qualification(kind=kind)
        institution.qualifications.append(qualification)
    else:
        before = {"certificate_number": qualification.certificate_number, "valid_until": str(qualification.valid_until)}
    qualification.certificate_number = certificate_number.strip()
    qualification.valid_from, qualification.valid_until = valid_from, valid_until
    db.session.flush()
    audit.record(
        "institution.qualification",
        qualification,
        before=before,
        actor=user,
        after={"kind": kind, "certificate_number": qualification.certificate_number, "valid_until": str(valid_until)},
    )
    return qualification


def _check_report(channel, institution: Institution | None, data: dict) -> None:
    if channel.status not in REPORTABLE:
        raise Conflict(
            "渠道尚未进入测试，不能提交安全检测报告", "The channel is not in testing yet", code="not_reportable"
        )
    if institution is None:
        raise RuleViolation("请选择检测机构", "Choose the testing institution", fields={"institution_id": ["unknown"]})
    test_date = data["test_date"]
    if test_date > today():
        raise RuleViolation(
            "检测日期不能晚于今天", "The test date cannot be in the future", fields={"test_date": ["future"]}
        )
    if one_year_after(test_date) <= today():
        raise RuleViolation(
            "检测报告已超过一年有效期，须重新检测（C5.3）",
            "The report is more than a year old; a new test is needed (C5.3)",
            code="C5.3",
            fields={"test_date": ["older than a year"]},
        )
    missing = missing_qualifications(institution.qualifications, test_date)
    if missing:
        zh = "、".join(QUALIFICATIONS[k][0] for k in missing)
        en = "; ".join(QUALIFICATIONS[k][1] for k in missing)
        raise RuleViolation(
            f"检测机构在检测日期缺少或未具备有效资质：{zh}（C5.4）",
            f"On the test date the institution lacked or had expired: {en} (C5.4)",
            code="C5.4",
            fields={"institution_id": missing},
        )


def submit_report(user, channel, data: dict, stream, filename: str) -> SecurityReport:
    """C5.3: the channel files the report of a qualified institution (C5.4); a PDF, at most one year old."""
    if not (may(user, P.security_report_file) and acts_for(user, channel.owner_id)):
        raise Forbidden("只有渠道所属单位可以提交检测报告", "Only the channel's owner files its security reports")
    institution = db.session.get(Institution, data["institution_id"])
    _check_report(channel, institution, data)
    stored = save_upload(stream, filename)
    try:
        if stored.kind != "pdf":
            raise RuleViolation(
                "检测报告须为 PDF 文件", "The report must be a PDF", code="upload_type", fields={"file": ["pdf only"]}
            )
        return _record_report(user, channel.id, data, stored)
    except BaseException:
        remove_upload(stored.stored_name)
        raise


@transactional
def _record_report(user, channel_id: int, data: dict, stored) -> SecurityReport:
    report = SecurityReport(
        channel_id=channel_id,
        institution_id=data["institution_id"],
        test_date=data["test_date"],
        version_tested=data["version_tested"],
        covers_spec=data["covers_spec"],
        result=data["result"],
        findings=data.get("findings", ""),
        filename=stored.filename,
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by_id=user.id,
    )
    db.session.add(report)
    _restore_if_suspended_for_testing(report, user)
    audit.record(
        "security_report.submit",
        report,
        actor=user,
        after={
            "channel_id": channel_id,
            "test_date": str(report.test_date),
            "result": report.result,
            "covers_spec": report.covers_spec,
            "sha256": report.sha256,
        },
    )
    return report


@transactional
def declare_major_change(user, channel, kind: str, description: str):
    """C5.3: after a major upgrade or security-policy change the channel needs a new security test."""
    if not (may(user, P.security_report_file) and acts_for(user, channel.owner_id)):
        raise Forbidden("只有渠道所属单位可以申报重大变更", "Only the channel's owner declares its changes")
    if kind not in ("upgrade", "policy") or not (description or "").strip():
        raise RuleViolation(
            "请选择变更类型并说明变更内容",
            "Give the kind of change and describe it",
            fields={"description": ["required"]},
        )
    before = {"major_change_on": str(channel.major_change_on) if channel.major_change_on else None}
    channel.major_change_on = today()
    audit.record(
        "channel.major_change",
        channel,
        before=before,
        actor=user,
        after={"major_change_on": str(channel.major_change_on), "kind": kind, "description": description},
    )
    return channel


def reports_of(channel) -> list[SecurityReport]:
    return list(
        db.session.scalars(
            sa.select(SecurityReport)
            .where(SecurityReport.channel_id == channel.id)
            .order_by(SecurityReport.test_date.desc(), SecurityReport.id.desc())
        )
    )


def current_report(channel) -> SecurityReport | None:
    """The newest report that is current (C5.3), or None — production intake needs one (C2.7)."""
    return next((r for r in reports_of(channel) if is_current(r, today(), channel.major_change_on)), None)


def get_report(channel, report_id: int) -> SecurityReport:
    report = db.session.scalar(
        sa.select(SecurityReport).where(SecurityReport.id == report_id, SecurityReport.channel_id == channel.id)
    )
    if report is None:
        raise NotFound()
    return report


def spot_checks_of(channel) -> list[SpotCheck]:
    return list(
        db.session.scalars(
            sa.select(SpotCheck).where(SpotCheck.channel_id == channel.id).order_by(SpotCheck.ordered_at.desc())
        )
    )


@transactional
def order_spot_check(user, channel, reason: str, is_retest: bool = False) -> SpotCheck:
    """C5.3: the operator may spot-check a channel's security; a re-test follows a rectification."""
    _operator(user)
    if not (reason or "").strip():
        raise RuleViolation("请说明抽查原因", "Give the reason for the spot check", fields={"reason": ["required"]})
    check = SpotCheck(channel_id=channel.id, reason=reason.strip(), is_retest=is_retest, ordered_by_id=user.id)
    db.session.add(check)
    audit.record("spot_check.order", check, actor=user, after={"channel_id": channel.id, "is_retest": is_retest})
    return check


@transactional
def record_spot_check(user, check: SpotCheck, result: str, notes: str = "") -> SpotCheck:
    """C5.3: record the result; a failed re-test after rectification suspends the channel's services until a passing
    report is accepted."""
    _operator(user)
    if check.result != "pending":
        raise Conflict("该抽查结果已记录", "The result of this spot check is already recorded", code="already_recorded")
    if result not in ("pass", "fail"):
        raise RuleViolation("结果须为通过或不通过", "The result is pass or fail", fields={"result": ["pass or fail"]})
    check.result, check.notes, check.recorded_by_id, check.recorded_at = result, notes, user.id, utcnow()
    audit.record("spot_check.record", check, actor=user, after={"result": result, "is_retest": check.is_retest})
    channel = check.channel
    if result == "fail" and check.is_retest and channel.status == ChannelStatus.live:
        lifecycle.move(channel, ChannelStatus.suspended, Cause.retest_failed, user, details={"spot_check": check.id})
        channel.suspended_for_testing = True
    return check


def _restore_if_suspended_for_testing(report: SecurityReport, user) -> None:
    channel = db.session.get(Channel, report.channel_id)
    if (
        channel.status == ChannelStatus.suspended
        and channel.suspended_for_testing
        and report.result == "pass"
        and report.covers_spec
    ):
        lifecycle.move(channel, ChannelStatus.live, Cause.passing_report_accepted, user, details={"report": report.id})
        channel.suspended_for_testing = False

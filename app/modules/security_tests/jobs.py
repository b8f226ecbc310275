"""The daily security-report check (C5.3): flag live channels whose report expires within REPORT_EXPIRY_WARNING_DAYS,
and those with no current report. Idempotent: each (channel, kind, report) is flagged once; running the job twice
changes nothing.

Set-based (issue 17): a fixed number of statements whatever the number of channels — the live channels, their recent
passing reports, the flags already raised, one INSERT of the new flags, one audit batch per kind — and one message per
owner listing its channels, plus one digest to each operator."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.enums import ChannelStatus
from app.core.i18n import register_codes
from app.core.jobs import register_daily
from app.core.transaction import transactional
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.messaging.operations import listing, send_owner_digests, send_to_operators
from app.modules.security_tests.models import ReportNotice, SecurityReport
from app.modules.security_tests.rules import is_current, one_year_after


def _live_channels() -> list:
    return db.session.execute(
        sa.select(Channel.id, Channel.name, Channel.channel_number, Channel.owner_id, Channel.major_change_on)
        .where(Channel.status == ChannelStatus.live)
        .order_by(Channel.id)
    ).all()


def _current_reports(on: date, majors: dict[int, date | None]) -> dict[int, object]:
    """The newest current report of each live channel (C5.3), from one read of the passing reports of the last year."""
    rows = db.session.execute(
        sa.select(SecurityReport.id, SecurityReport.channel_id, SecurityReport.test_date)
        .add_columns(SecurityReport.result, SecurityReport.covers_spec)
        .join(Channel, Channel.id == SecurityReport.channel_id)
        .where(
            Channel.status == ChannelStatus.live,
            SecurityReport.result == "pass",
            SecurityReport.test_date > on - timedelta(days=367),
        )
        .order_by(SecurityReport.channel_id, SecurityReport.test_date.desc(), SecurityReport.id.desc())
    )
    current: dict[int, object] = {}
    for report in rows:
        if report.channel_id not in current and is_current(report, on, majors.get(report.channel_id)):
            current[report.channel_id] = report
    return current


def _flagged() -> set[tuple[int, str, int]]:
    rows = db.session.execute(
        sa.select(ReportNotice.channel_id, ReportNotice.kind, ReportNotice.report_id)
        .join(Channel, Channel.id == ReportNotice.channel_id)
        .where(Channel.status == ChannelStatus.live)
    )
    return {tuple(row) for row in rows}


def _findings(on: date) -> list[tuple[object, str, int, date | None]]:
    """(channel, kind, report id or 0, valid until) of every live channel to flag today, not flagged before."""
    channels = _live_channels()
    current = _current_reports(on, {c.id: c.major_change_on for c in channels})
    warning = timedelta(days=current_app.config["REPORT_EXPIRY_WARNING_DAYS"])
    flagged, found = _flagged(), []
    for channel in channels:
        report = current.get(channel.id)
        if report is None:
            finding = (channel, "overdue", 0, None)
        elif one_year_after(report.test_date) - on <= warning:
            finding = (channel, "expiring", report.id, one_year_after(report.test_date))
        else:
            continue
        if (channel.id, finding[1], finding[2]) not in flagged:
            found.append(finding)
    return found


def _record(findings: list, on: date) -> None:
    """The flags in one INSERT (their ids read back in one SELECT: a RETURNING in parameter order would go row by row
    on SQLite), and their audit entries in one batch per kind."""
    rows = [dict(channel_id=c.id, kind=kind, report_id=report_id, flagged_on=on) for c, kind, report_id, _ in findings]
    db.session.execute(sa.insert(ReportNotice.__table__), rows)
    flagged = db.session.execute(
        sa.select(ReportNotice.id, ReportNotice.channel_id, ReportNotice.kind, ReportNotice.report_id).where(
            ReportNotice.flagged_on == on
        )
    )
    ids = {(row.channel_id, row.kind, row.report_id): row.id for row in flagged}
    for kind in ("expiring", "overdue"):
        entries = [
            (ids[(c.id, kind, report_id)], None, {"channel_id": c.id, "report_id": report_id})
            for c, found_kind, report_id, _ in findings
            if found_kind == kind
        ]
        audit.record_batch(f"security_report.{kind}", "security_report_notice", entries, actor=None)


def _line(channel, kind: str, until: date | None) -> str:
    number = channel.channel_number or "—"
    if kind == "expiring":
        return f"· {channel.name}（{number}）：安全检测报告将于 {until.isoformat()} 到期"
    return f"· {channel.name}（{number}）：无有效安全检测报告"


def _tell(findings: list) -> None:
    """One message to each owner listing its channels, and one digest to each operator."""
    by_owner: dict[int, list[str]] = {}
    for channel, kind, _report, until in findings:
        by_owner.setdefault(channel.owner_id, []).append(_line(channel, kind, until))
    send_owner_digests("security_report.digest", by_owner, PAGE)
    counts = {kind: sum(1 for f in findings if f[1] == kind) for kind in ("expiring", "overdue")}
    lines = [_line(channel, kind, until) for channel, kind, _report, until in findings]
    send_to_operators("security_report.operator_digest", counts | {"channels": listing(lines, PAGE)})


PAGE = "安全检测页面"


@transactional
def check_report_expiry(on: date) -> dict:
    findings = _findings(on)
    if findings:
        _record(findings, on)
        _tell(findings)
    return {kind: sum(1 for f in findings if f[1] == kind) for kind in ("expiring", "overdue")}


register_daily("security_reports", check_report_expiry, order=50, claim="security_reports")

register_codes(
    "job",
    {
        "security_reports": ("安全检测报告到期检查", "Security report expiry check"),
    },
)

"""The daily security-report check (C5.3): flag live channels whose report expires within REPORT_EXPIRY_WARNING_DAYS,
and those with no current report, with a message to the owner and to the operator. Idempotent: each (channel, kind,
report) is flagged once; running the job twice changes nothing."""

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
from app.modules.messaging.operations import send, send_to_operators
from app.modules.security_tests.models import ReportNotice
from app.modules.security_tests.operations import current_report
from app.modules.security_tests.rules import one_year_after


def _finding(channel: Channel, on: date) -> tuple[str, int, date | None] | None:
    report = current_report(channel)
    if report is None:
        return "overdue", 0, None
    until = one_year_after(report.test_date)
    if until - on <= timedelta(days=current_app.config["REPORT_EXPIRY_WARNING_DAYS"]):
        return "expiring", report.id, until
    return None


def _notify(channel: Channel, kind: str, until: date | None) -> None:
    context = {"channel": channel.name, "channel_number": channel.channel_number, "until": until}
    send(f"security_report.{kind}", context, channel, organisation_id=channel.owner_id)
    send_to_operators(f"security_report.{kind}", context, channel)


@transactional
def check_report_expiry(on: date) -> dict:
    counts = {"expiring": 0, "overdue": 0}
    for channel in db.session.scalars(sa.select(Channel).where(Channel.status == ChannelStatus.live)):
        finding = _finding(channel, on)
        if finding is None:
            continue
        kind, report_id, until = finding
        seen = db.session.scalar(
            sa.select(ReportNotice.id).where(
                ReportNotice.channel_id == channel.id, ReportNotice.kind == kind, ReportNotice.report_id == report_id
            )
        )
        if seen:
            continue
        notice = ReportNotice(channel_id=channel.id, kind=kind, report_id=report_id, flagged_on=on)
        db.session.add(notice)
        _notify(channel, kind, until)
        audit.record(f"security_report.{kind}", notice, after={"channel_id": channel.id, "report_id": report_id})
        counts[kind] += 1
    return counts


register_daily("security_reports", check_report_expiry, order=50, claim="security_reports")

register_codes(
    "job",
    {
        "security_reports": ("安全检测报告到期检查", "Security report expiry check"),
    },
)

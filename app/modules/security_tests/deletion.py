"""The security-testing domain's parts of a channel's data deletion (C6.5): report files, spot checks, notices and
reports (a report reused by another channel's production intake loses that reference first, C5.3)."""

import sqlalchemy as sa

from app.core.deletion import delete_files, delete_rows, register_part, update_rows
from app.modules.applications.models import Application
from app.modules.security_tests.models import ReportNotice, SecurityReport, SpotCheck


def _reports(cid: int):
    return sa.select(SecurityReport.id).where(SecurityReport.channel_id == cid)


def report_files(cid: int, scope: dict) -> dict:
    return {"security_report_files": delete_files(SecurityReport, SecurityReport.id.in_(_reports(cid)))}


def reports(cid: int, scope: dict) -> dict:
    update_rows(Application, Application.security_report_id.in_(_reports(cid)), security_report_id=None)
    return {
        "spot_checks": delete_rows(SpotCheck, SpotCheck.channel_id == cid),
        "report_notices": delete_rows(ReportNotice, ReportNotice.channel_id == cid),
        "security_reports": delete_rows(SecurityReport, SecurityReport.id.in_(_reports(cid))),
    }


register_part("files", 30, report_files)
register_part("operations", 20, reports)

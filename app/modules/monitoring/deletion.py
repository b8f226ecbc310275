"""The monitoring domain's part of a channel's data deletion (C6.5): figures, notices and alerts with their history,
missing-report flags, improvement plans."""

import sqlalchemy as sa

from app.core.deletion import delete_rows, register_part
from app.modules.monitoring.models import (
    ImprovementPlan,
    MissingReport,
    MonitoringEvent,
    MonitoringRecord,
    MonthlyStatistic,
)


def records(cid: int, scope: dict) -> dict:
    own = sa.select(MonitoringRecord.id).where(MonitoringRecord.channel_id == cid)
    return {
        "monthly_statistics": delete_rows(MonthlyStatistic, MonthlyStatistic.channel_id == cid),
        "monitoring_events": delete_rows(MonitoringEvent, MonitoringEvent.record_id.in_(own)),
        "monitoring_records": delete_rows(MonitoringRecord, MonitoringRecord.channel_id == cid),
        "missing_reports": delete_rows(MissingReport, MissingReport.channel_id == cid),
        "improvement_plans": delete_rows(ImprovementPlan, ImprovementPlan.channel_id == cid),
    }


register_part("operations", 10, records)

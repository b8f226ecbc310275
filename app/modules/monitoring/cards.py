"""Workbench cards of monitoring (C3.6, C4.9–C4.11): for the channel, its notices running their improvement period
and its open alerts, and the months whose figures are missing; for the operator, every open alert and missing report."""

import calendar
from datetime import date

import sqlalchemy as sa
from flask import url_for

from app.core.i18n import localized
from app.core.jurisdiction import channel_filter
from app.core.permissions import P, may
from app.core.workbench import Item, card_from, register_card
from app.modules.channels.models import Channel
from app.modules.monitoring.models import MissingReport, MonitoringRecord, RecordStatus

OPEN = (RecordStatus.improving, RecordStatus.open)


def _period_end(month: date | None) -> date | None:
    """A notice's improvement period runs to the end of its last month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1]) if month else None


def _record_item(record: MonitoringRecord) -> Item:
    kind = ("预警通知", "Notice") if record.kind == "notice" else ("告警", "Alert")
    label = f"{record.channel.name} · {localized(kind)} {record.rule}"
    url = url_for("monitoring.channel_monitoring", channel_id=record.channel_id)
    return Item(label, url, due=_period_end(record.period_ends), since=record.created_at)


def _records(user, key: str, title: tuple[str, str], hint: tuple[str, str]):
    query = (
        sa.select(MonitoringRecord)
        .join(Channel, Channel.id == MonitoringRecord.channel_id)
        .where(MonitoringRecord.status.in_(OPEN), channel_filter(user))
    )
    return card_from(
        query,
        key=key,
        title=title,
        url=url_for("monitoring.monitoring_overview")
        if may(user, P.monitoring_read)
        else url_for("channels.list_channels"),
        item=_record_item,
        order_by=(MonitoringRecord.period_ends.is_(None), MonitoringRecord.period_ends, MonitoringRecord.id),
        hint=hint,
    )


def own_records(user):
    return _records(
        user,
        "monitoring.own",
        ("运营预警与告警", "Monitoring notices and alerts"),
        ("改善期内提升签发量和活跃用户；告警后提交运营提升方案（C4.9、C4.11）", "Improve within the period (C4.9)"),
    )


def open_alerts(user):
    return _records(
        user,
        "monitoring.alerts",
        ("未解除的运营预警与告警", "Open monitoring notices and alerts"),
        ("告警渠道须提交运营提升方案（C4.11）", "Alerted channels file an improvement plan (C4.11)"),
    )


def missing(user):
    query = (
        sa.select(MissingReport)
        .join(Channel, Channel.id == MissingReport.channel_id)
        .where(MissingReport.resolved_at.is_(None), channel_filter(user))
    )
    return card_from(
        query,
        key="monitoring.missing",
        title=("未报送的月度数据", "Monthly figures not reported"),
        url=url_for("monitoring.import_page"),
        item=lambda r: Item(
            f"{r.channel.name} · {r.month:%Y-%m}",
            url_for("monitoring.channel_monitoring", channel_id=r.channel_id),
            since=r.flagged_at,
        ),
        order_by=(MissingReport.month, MissingReport.id),
        hint=("每月上旬报送上月签发量和活跃用户数（C3.6）", "Report last month's figures early each month (C3.6)"),
    )


register_card("monitoring.own", own_records, permission=P.improvement_plan_file, order=20)
register_card("monitoring.alerts", open_alerts, permission=P.monitoring_manage, order=45)
register_card("monitoring.missing", missing, permission=P.statistics_import, order=50)

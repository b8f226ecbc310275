"""Open alerts of a channel's unit (C4.9, C4.10) and what they mean for its agreement's renewal (C4.11): an alerted
channel renews only if the operator approved its improvement plan after the alert."""

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.modules.agreements.renewal import register_renewal_blocker
from app.modules.channels.models import Channel
from app.modules.channels.rules import unit_channel_id
from app.modules.monitoring.models import ImprovementPlan, MonitoringRecord, PlanStatus, RecordStatus


def open_alerts(channel: Channel) -> list:
    return list(
        db.session.scalars(
            sa.select(MonitoringRecord).where(
                MonitoringRecord.channel_id == unit_channel_id(channel),
                MonitoringRecord.kind == "alert",
                MonitoringRecord.status == RecordStatus.open,
            )
        )
    )


def alert_blockers(channels: list[Channel], on: date) -> dict[int, str]:
    """C4.11: an alerted channel (its unit's open alert) renews only with an improvement plan approved since the first
    open alert — the alerts and plans of all the channels read in two statements."""
    units = {channel.id: unit_channel_id(channel) for channel in channels}
    first_alert = dict(
        db.session.execute(
            sa.select(MonitoringRecord.channel_id, sa.func.min(MonitoringRecord.created_at))
            .where(
                MonitoringRecord.channel_id.in_(set(units.values())),
                MonitoringRecord.kind == "alert",
                MonitoringRecord.status == RecordStatus.open,
            )
            .group_by(MonitoringRecord.channel_id)
        ).all()
    )
    last_plan = dict(
        db.session.execute(
            sa.select(ImprovementPlan.channel_id, sa.func.max(ImprovementPlan.decided_at))
            .where(ImprovementPlan.channel_id.in_(list(units)), ImprovementPlan.status == PlanStatus.approved)
            .group_by(ImprovementPlan.channel_id)
        ).all()
    )
    reasons = {}
    for channel_id, unit in units.items():
        since, approved = first_alert.get(unit), last_plan.get(channel_id)
        if since is not None and (approved is None or approved < since):
            reasons[channel_id] = "渠道被告警，运营提升方案尚未经运营机构同意"
    return reasons


register_renewal_blocker(10, alert_blockers)

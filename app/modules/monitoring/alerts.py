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


def approved_plan_since(channel: Channel, since) -> bool:
    return bool(
        db.session.scalar(
            sa.select(ImprovementPlan.id).where(
                ImprovementPlan.channel_id == channel.id,
                ImprovementPlan.status == PlanStatus.approved,
                ImprovementPlan.decided_at >= since,
            )
        )
    )


def alert_blocker(channel: Channel, on: date) -> str | None:
    alerts = open_alerts(channel)
    if alerts and not approved_plan_since(channel, min(a.created_at for a in alerts)):
        return "渠道被告警，运营提升方案尚未经运营机构同意"
    return None


register_renewal_blocker(10, alert_blocker)

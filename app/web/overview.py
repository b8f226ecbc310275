"""The overview (总览, issue 15 item 2, S13): the channels by status, category, level and province; the applications
waiting at each level of the review chain with the median and the longest wait; issuance and active users by month;
the open notices, alerts and incidents — for the national center, the operator and the auditor, and for a provincial or
municipal center within its jurisdiction. Every figure is one grouped statement, whatever the number of channels."""

from dataclasses import dataclass
from datetime import date
from statistics import median

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core.enums import ChannelCategory, ChannelStatus, Stage, StepStatus
from app.core.i18n import current_locale, gettext
from app.core.jurisdiction import application_filter, channel_filter
from app.core.timeutil import utcnow
from app.extensions import db
from app.modules.agreements.rules import add_months
from app.modules.applications.models import Application
from app.modules.channels.models import Channel, channel_region
from app.modules.incidents.models import Incident, IncidentStatus
from app.modules.monitoring.models import MonitoringRecord, MonthlyStatistic, RecordStatus
from app.modules.monitoring.operations import current_statistics
from app.modules.monitoring.overview import chart
from app.modules.regions.models import Region
from app.modules.reviews.models import ReviewStep


@dataclass
class Bar:
    label: str
    value: int


@dataclass
class Waiting:
    stage: str
    count: int
    median_days: float | None
    longest_days: int | None


def _bars(rows, title) -> list[Bar]:
    return sorted((Bar(title(key), n) for key, n in rows if n), key=lambda b: -b.value)


def channels_by(user, column, title) -> list[Bar]:
    rows = db.session.execute(sa.select(column, sa.func.count()).where(channel_filter(user)).group_by(column))
    return _bars(rows, title)


def channels_by_province(user) -> list[Bar]:
    granted, region = channel_region.alias("granted"), aliased(Region, name="granted_region")  # apart from the scope's
    province = sa.func.coalesce(region.parent_code, region.code)
    query = (
        sa.select(province, sa.func.count(sa.distinct(Channel.id)))
        .select_from(Channel)
        .join(granted, granted.c.channel_id == Channel.id)
        .join(region, region.code == granted.c.region_code)
        .where(channel_filter(user))
        .group_by(province)
    )
    names = {
        r.code: r.name(current_locale())
        for r in db.session.scalars(sa.select(Region).where(Region.level == "province"))
    }
    return _bars(db.session.execute(query), lambda code: names.get(code, code))


def waiting_by_stage(user) -> list[Waiting]:
    """S13 timeliness: the steps pending at each level of the chain, with the median and the longest wait in days."""
    step = aliased(ReviewStep, name="waiting_step")  # apart from the steps the scope itself looks at
    rows = db.session.execute(
        sa.select(step.stage, step.opened_at)
        .join(Application, Application.id == step.application_id)
        .where(step.status == StepStatus.pending, step.round == Application.round, application_filter(user))
    )
    today = utcnow().date()
    waits: dict[Stage, list[int]] = {stage: [] for stage in Stage}
    for stage, opened_at in rows:
        waits[Stage(stage)].append((today - opened_at.date()).days if opened_at else 0)
    return [
        Waiting(
            stage.title(current_locale()),
            len(days),
            round(median(days), 1) if days else None,
            max(days) if days else None,
        )
        for stage, days in waits.items()
    ]


def monthly_totals(user, months: int = 12) -> list[dict]:
    """Issuance and active users of the visible channels, month by month (the current version of each figure)."""
    first = add_months(date.today().replace(day=1), -months)
    current = current_statistics(MonthlyStatistic.month >= first).subquery()
    query = (
        sa.select(
            current.c.month,
            sa.func.sum(current.c.new_issuance),
            sa.func.sum(current.c.monthly_active_users),
        )
        .join(Channel, Channel.id == current.c.channel_id)
        .where(channel_filter(user))
        .group_by(current.c.month)
        .order_by(current.c.month)
    )
    return [
        {"month": f"{month:%Y-%m}", "new_issuance": int(issued or 0), "monthly_active_users": int(active or 0)}
        for month, issued, active in db.session.execute(query)
    ]


def open_counts(user) -> dict[str, int]:
    records = db.session.execute(
        sa.select(MonitoringRecord.kind, sa.func.count())
        .join(Channel, Channel.id == MonitoringRecord.channel_id)
        .where(MonitoringRecord.status.in_((RecordStatus.improving, RecordStatus.open)), channel_filter(user))
        .group_by(MonitoringRecord.kind)
    )
    counts = {kind: n for kind, n in records}
    incidents = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Incident)
        .join(Channel, Channel.id == Incident.channel_id)
        .where(
            Incident.status.in_((IncidentStatus.reported, IncidentStatus.candidate, IncidentStatus.rectifying)),
            channel_filter(user),
        )
    )
    return {"notices": counts.get("notice", 0), "alerts": counts.get("alert", 0), "incidents": incidents or 0}


def figures(user) -> dict:
    locale = current_locale()
    totals = monthly_totals(user)
    return {
        "by_status": channels_by(user, Channel.status, lambda v: ChannelStatus(v).title(locale)),
        "by_category": channels_by(user, Channel.category, lambda v: ChannelCategory(v).title(locale)),
        "by_level": channels_by(user, Channel.level, lambda v: gettext("一级渠道") if v == 1 else gettext("二级渠道")),
        "by_province": channels_by_province(user),
        "waiting": waiting_by_stage(user),
        "open": open_counts(user),
        "issuance": chart(totals, "new_issuance", None),
        "active": chart(totals, "monthly_active_users", None),
    }

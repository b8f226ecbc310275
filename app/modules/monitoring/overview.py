"""What the operator and the channel portal show of monitoring (C4.7): the overview of channels in an improvement
period, alerted, or missing reports (filterable by region and category, exportable as CSV — a separate, logged
permission, S5), and one channel's figures with the rule thresholds for its charts."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.core import audit
from app.core.enums import ChannelCategory
from app.core.http.pagination import Page, paginate
from app.extensions import db
from app.modules.channels.models import Channel, channel_region
from app.modules.channels.rules import unit_channel_id
from app.modules.monitoring.models import MissingReport, MonitoringRecord, MonthlyStatistic, RecordStatus
from app.modules.monitoring.operations import current_statistics
from app.modules.monitoring.triggers import Thresholds, label
from app.modules.regions.models import Region

STATES = {
    "improving": ("提升期", "In an improvement period"),
    "alerted": ("已告警", "Alerted"),
    "missing": ("缺报", "Missing reports"),
}


def _exists(kind: str, status: str):
    return sa.exists().where(
        MonitoringRecord.channel_id == Channel.id, MonitoringRecord.kind == kind, MonitoringRecord.status == status
    )


def filters(args) -> dict:
    """The overview's filters from a request's query string (pages and API alike)."""
    return {name: args.get(name, "")[:16] for name in ("region", "category", "state")}


def overview_query(region: str = "", category: str = "", state: str = ""):
    """Channels with an open notice, an open alert or an unresolved missing report — one query, filterable."""
    improving, alerted = _exists("notice", RecordStatus.improving), _exists("alert", RecordStatus.open)
    missing = sa.exists().where(MissingReport.channel_id == Channel.id, MissingReport.resolved_at.is_(None))
    flags = {"improving": improving, "alerted": alerted, "missing": missing}
    query = sa.select(
        Channel,
        improving.label("improving"),
        alerted.label("alerted"),
        missing.label("missing"),
    ).where(flags[state] if state in flags else sa.or_(*flags.values()))
    if category in ChannelCategory.__members__:
        query = query.where(Channel.category == category)
    if region:
        query = query.where(
            sa.exists().where(
                channel_region.c.channel_id == Channel.id,
                channel_region.c.region_code == Region.code,
                sa.or_(Region.code == region, Region.parent_code == region),
            )
        )
    return query.options(joinedload(Channel.owner)).order_by(Channel.id)


@dataclass
class OverviewRow:
    channel: Channel
    improving: bool
    alerted: bool
    missing: bool


def overview(region: str = "", category: str = "", state: str = "") -> Page:
    """One page of the overview; each row's channel comes with its owner (a constant number of statements)."""
    page = paginate(overview_query(region, category, state), rows=True)
    page.items = [OverviewRow(*row) for row in page.items]
    return page


MISSING_SHOWN = 20


def unresolved_missing() -> tuple[list[MissingReport], int]:
    """The latest unresolved missing-report flags with their channels, and how many there are in all."""
    query = sa.select(MissingReport).where(MissingReport.resolved_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    latest = query.options(joinedload(MissingReport.channel)).order_by(
        MissingReport.month.desc(), MissingReport.id.desc()
    )
    return list(db.session.scalars(latest.limit(MISSING_SHOWN))), total


EXPORT_HEADER = ["channel_number", "name", "category", "owner", "regions", "improving", "alerted", "missing"]


def export_csv(user, region: str = "", category: str = "", state: str = "") -> Iterator[str]:
    """S5: the export is its own permission and every export is logged with its filters and size, before the first
    line leaves. The lines are streamed a thousand channels at a time (memory flat in the number of channels)."""
    query = overview_query(region, category, state)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    audit.record(
        "monitoring.export",
        None,
        object_type="monitoring_overview",
        object_id="csv",
        actor=user,
        after={"region": region, "category": category, "state": state, "rows": total},
    )
    db.session.commit()
    batches = db.session.execute(query.options(selectinload(Channel.regions)).execution_options(yield_per=1000))
    try:  # a server-side cursor on PostgreSQL: closed however the download ends
        yield "\ufeff" + _csv_line(EXPORT_HEADER)
        for c, improving, alerted, missing in batches:
            regions = " ".join(r.code for r in c.regions)
            owner = c.owner.name
            yield _csv_line([c.channel_number, c.name, str(c.category), owner, regions, improving, alerted, missing])
    finally:
        batches.close()


def _csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


def records_of(channel: Channel) -> list[MonitoringRecord]:
    """The notices and alerts of the channel's counting unit (C4.8), newest first."""
    return list(
        db.session.scalars(
            sa.select(MonitoringRecord)
            .where(MonitoringRecord.channel_id == unit_channel_id(channel))
            .order_by(MonitoringRecord.month.desc(), MonitoringRecord.id.desc())
        )
    )


def series_of(channel: Channel, months: int = 24) -> list[dict]:
    """The channel's current figures, oldest first, with the C4.9 thresholds of each month for the charts."""
    th = Thresholds.from_config(current_app.config)
    rows = db.session.scalars(
        current_statistics(MonthlyStatistic.channel_id == channel.id)
        .order_by(MonthlyStatistic.month.desc())
        .limit(months)
    ).all()
    return [
        {
            "month": label(r.month),
            "new_issuance": r.new_issuance,
            "cumulative_issuance": r.cumulative_issuance,
            "monthly_active_users": r.monthly_active_users,
            "issuance_threshold": round(th.issuance_3m_min / 3, 1),
            "mau_threshold": round(th.mau_ratio * r.cumulative_issuance, 1),
        }
        for r in reversed(rows)
    ]


# The plot area of a monthly chart inside its SVG: room on the left for the value axis, below for the months.
CHART = {"width": 640, "height": 220, "left": 64, "right": 12, "top": 12, "bottom": 32}


def _nice_top(top: float) -> float:
    """The smallest 1-2-2.5-5 × 10ⁿ at or above `top`, so the axis reads in round numbers."""
    magnitude = 10 ** max(0, len(str(int(top))) - 1)
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= top)


def chart(points: list[dict], value: str, threshold: str | None) -> dict:
    """C4.7: an SVG line chart of one figure by month — its points with their values, the threshold's line, the value
    axis with round ticks and a label per month — scaled to the larger of series and threshold."""
    if not points:
        return {}
    g = CHART
    plot_w, plot_h = g["width"] - g["left"] - g["right"], g["height"] - g["top"] - g["bottom"]
    top = _nice_top(max([p[value] for p in points] + [p[threshold] for p in points if threshold] + [1]))
    step = plot_w / max(1, len(points) - 1)

    def x(i: int) -> float:
        return round(g["left"] + (i * step if len(points) > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(g["top"] + plot_h - v / top * plot_h, 1)

    dots = [{"x": x(i), "y": y(p[value]), "value": p[value], "month": p["month"]} for i, p in enumerate(points)]
    every = max(1, -(-len(points) // 12))  # at most 12 month labels
    return {
        **g,
        "plot_right": g["width"] - g["right"],
        "plot_bottom": g["top"] + plot_h,
        "top": top,
        "series": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "threshold": " ".join(f"{x(i)},{y(p[threshold])}" for i, p in enumerate(points)) if threshold else "",
        "ticks": [{"y": y(top * k / 4), "value": top * k / 4} for k in range(5)],
        "months": [d for i, d in enumerate(dots) if i % every == 0 or i == len(dots) - 1],
        "first": points[0]["month"],
        "last": points[-1]["month"],
    }

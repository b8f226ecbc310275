"""Statistics intake (C3.6): a level-1 channel reports its own and its level-2 channels' monthly figures. A report is
all-or-nothing and names every bad item; an already-reported month changes only through a correction with a reason,
which becomes a new version."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core import audit
from app.core.errors import RuleViolation
from app.core.timeutil import today
from app.core.transaction import transactional
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.monitoring.models import MonthlyStatistic
from app.modules.monitoring.rules import FIGURES, figure_problems, parse_month


@dataclass
class Outcome:
    created: list = field(default_factory=list)
    corrected: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)


def current_statistics(*conditions, months: tuple | None = None):
    """A select of the current version of each (channel, month) matching `conditions` — the figures that count; the
    earlier versions stay as history. One statement whatever the number of channels: the rows with no later version
    (an anti-join on the unique index (channel, month, version), on both databases). A later version is at least
    version 2 (versions start at 1, a CHECK holds it), so only corrections are looked at for it; `months` (first,
    last) restricts both sides to those months."""
    later = aliased(MonthlyStatistic)
    newer = sa.exists().where(
        later.channel_id == MonthlyStatistic.channel_id,
        later.month == MonthlyStatistic.month,
        later.version > MonthlyStatistic.version,
        later.version > 1,
    )
    if months:
        conditions += (MonthlyStatistic.month.between(*months),)
        newer = newer.where(later.month.between(*months))
    return sa.select(MonthlyStatistic).where(*conditions, ~newer)


def current_figures(channel_id: int) -> dict:
    """{month: the current version} of one channel."""
    rows = db.session.scalars(current_statistics(MonthlyStatistic.channel_id == channel_id))
    return {row.month: row for row in rows}


def statistics_of(channel) -> list[MonthlyStatistic]:
    """Every version of every month, newest month first: the history the operator and owner see."""
    return list(
        db.session.scalars(
            sa.select(MonthlyStatistic)
            .where(MonthlyStatistic.channel_id == channel.id)
            .order_by(MonthlyStatistic.month.desc(), MonthlyStatistic.version.desc())
        )
    )


def _neighbours(current: dict, month) -> tuple[int | None, int | None]:
    earlier = [row for m, row in current.items() if m < month]
    later = [row for m, row in current.items() if m > month]
    before = max(earlier, key=lambda r: r.month).cumulative_issuance if earlier else None
    after = min(later, key=lambda r: r.month).cumulative_issuance if later else None
    return before, after


def _target(reporter: Channel, number: str) -> Channel | None:
    """C3.6: the reporter itself or one of its level-2 channels."""
    channel = db.session.scalar(sa.select(Channel).where(Channel.channel_number == number))
    if channel is None or (channel.id != reporter.id and channel.parent_id != reporter.id):
        return None
    return channel


def _check_item(reporter, index: int, item: dict, month, reason: str, seen: set) -> tuple[list, tuple | None]:
    prefix = f"items.{index}"
    channel = _target(reporter, item.get("channel_number", ""))
    if channel is None:
        return [
            (f"{prefix}.channel_number", "不是本渠道或其二级渠道", "not this channel or one of its level-2 channels")
        ], None
    if channel.id in seen:
        return [(f"{prefix}.channel_number", "同一渠道重复报送", "reported twice in one request")], None
    seen.add(channel.id)
    current = current_figures(channel.id)
    before, after = _neighbours(current, month)
    problems = [
        (f"{prefix}.{p.field}", p.zh, p.en)
        for p in figure_problems(item, month, today(), channel.live_since, before, after)
    ]
    existing = current.get(month)
    figures = tuple(item.get(name) for name in FIGURES)
    if not problems and existing is not None and existing.figures() != figures and not reason.strip():
        problems.append(
            (
                f"{prefix}.reason",
                "该月已报送，更正须说明原因",
                "this month was already reported: a correction needs a reason",
            )
        )
    return problems, (channel, existing, figures)


@transactional
def report_month(
    reporter: Channel, month_text: str, items: list[dict], reason: str = "", *, source: str, key=None, user=None
) -> Outcome:
    """Record one month's figures for the reporter and its level-2 channels: every item valid, or nothing written."""
    month = parse_month(month_text)
    if month is None:
        raise RuleViolation(
            "月份格式应为 YYYY-MM", "The month is YYYY-MM", code="validation_error", fields={"month": ["YYYY-MM"]}
        )
    problems, accepted, seen = [], [], set()
    for index, item in enumerate(items):
        found, target = _check_item(reporter, index, item, month, reason, seen)
        problems += found
        if target:
            accepted.append(target)
    if problems:
        fields = {}
        for path, _zh, en in problems:
            fields.setdefault(path, []).append(en)
        raise RuleViolation(
            "；".join(f"{path}：{zh}" for path, zh, _en in problems),
            "; ".join(f"{path}: {en}" for path, _zh, en in problems),
            code="C3.6",
            fields=fields,
        )
    outcome = Outcome()
    for channel, existing, figures in accepted:
        if existing is not None and existing.figures() == figures:
            outcome.unchanged.append(existing)
            continue
        row = MonthlyStatistic(
            channel_id=channel.id,
            month=month,
            version=(existing.version + 1) if existing else 1,
            **dict(zip(FIGURES, figures, strict=True)),
            source=source,
            reason=reason.strip() if existing else "",
            reported_by_channel_id=reporter.id,
            reported_by_key_id=getattr(key, "key_id", None),
            reported_by_user_id=getattr(user, "id", None),
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            "statistics.correct" if existing else "statistics.report",
            row,
            actor=user,
            before=dict(zip(FIGURES, existing.figures(), strict=True)) if existing else None,
            after={"channel_id": channel.id, "month": month_text, "version": row.version, "reason": row.reason}
            | {"source": source, "key_id": row.reported_by_key_id}
            | dict(zip(FIGURES, figures, strict=True)),
        )
        (outcome.corrected if existing else outcome.created).append(row)
    return outcome

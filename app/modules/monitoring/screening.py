"""The units a month's evaluation has to decide (C4.8–C4.10), screened in SQL.

Most units fire nothing in a month. One statement reads the current figures of the months the rules look at, sums
them per counting unit (C4.8) into one row per unit — a month with no figures stays NULL, so a rule that needs it
does not pass — and returns only the units that one of C4.9 (a)–(c) or C4.10 may fire for, or that already have a
record that matters for the month; with each, what `decide` needs: its name, owners, go-live day, category, Form 2
commitments and its figures. The rules in `triggers.py` then decide exactly, in Python, for those units only.

The screen is deliberately a little wider than the rules, never narrower: the "complete months after go-live" test
is left to Python, and the float thresholds are widened by one part in 10⁹ with `<=` for `<`, so that a rounding
difference between the database and Python can only let an extra unit through, which Python then turns away."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core.enums import ApplicationKind, ApplicationStatus, ChannelCategory
from app.extensions import db
from app.modules.applications.models import Application, ApplicationRow, SocialSupplement
from app.modules.channels.models import Channel
from app.modules.channels.rules import MONITORED
from app.modules.monitoring.models import MonitoringRecord, RecordStatus
from app.modules.monitoring.operations import current_statistics
from app.modules.monitoring.triggers import Series, Thresholds, window

WIDER = 1 + 1e-9  # the float thresholds' margin (see the module's docstring)


@dataclass
class Unit:
    """A counting unit (C4.8), named by its head channel."""

    channel_id: int
    name: str
    number: str | None
    owner_id: int
    level1_owner_id: int | None
    live_since: date | None
    social: bool
    committed: tuple[int, int] | None = None


def unit_of():
    """C4.8: the unit of a channel — its level-1 channel for a same-subject level-2 channel, itself otherwise."""
    return sa.case((sa.and_(Channel.level == 2, Channel.same_subject.is_(True)), Channel.parent_id), else_=Channel.id)


def monitored():
    """The channels that head a monitored unit: live (or suspended) level-1 channels and different-subject level-2
    channels."""
    return sa.and_(Channel.status.in_(MONITORED), sa.or_(Channel.level == 1, Channel.same_subject.is_not(True)))


def count_units() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Channel).where(monitored()))


def matters(month: date):
    """The records that matter for `month`: its own, the notices whose improvement period covers it, open alerts."""
    return sa.or_(
        MonitoringRecord.month == month,
        sa.and_(
            MonitoringRecord.kind == "notice",
            MonitoringRecord.month < month,
            MonitoringRecord.period_ends >= month,
            MonitoringRecord.status != RecordStatus.withdrawn,
        ),
        sa.and_(
            MonitoringRecord.kind == "alert",
            MonitoringRecord.month < month,
            MonitoringRecord.status == RecordStatus.open,
        ),
    )


FIGURES = {"n": "new_issuance", "c": "cumulative_issuance", "m": "monthly_active_users"}


def _pivot(months: tuple[date, ...]) -> list[tuple[str, date, str]]:
    """(column name, month, figure) of every column: `n<i>`, `c<i>`, `m<i>` for months[i]."""
    return [(f"{prefix}{i}", month, figure) for i, month in enumerate(months) for prefix, figure in FIGURES.items()]


def figures_by_unit(months: tuple[date, ...]):
    """One row per unit: `n<i>`, `c<i>`, `m<i>` — new, cumulative and MAU of months[i] summed over the unit's
    channels (current versions only), NULL where none of them reported that month. In two steps: one row per
    channel (its one current figure of each month), then those rows summed per unit — far fewer sums than summing
    every figure per unit."""
    current = current_statistics(months=(months[0], months[-1])).subquery()
    pivot = _pivot(months)
    per_channel = (
        sa.select(
            current.c.channel_id,
            *(
                sa.func.max(sa.case((current.c.month == month, current.c[figure]))).label(name)
                for name, month, figure in pivot
            ),
        )
        .group_by(current.c.channel_id)
        .subquery("per_channel")
    )
    unit = unit_of().label("unit")
    return (
        sa.select(unit, *(sa.cast(sa.func.sum(per_channel.c[name]), sa.BigInteger).label(name) for name, *_ in pivot))
        .join(Channel, Channel.id == per_channel.c.channel_id)
        .group_by(unit)
        .cte("figures")
    )


def commitments():
    """Per channel, the Form 2 commitments (C4.10) of its latest completed test application."""
    latest = (
        sa.select(ApplicationRow.channel_id, sa.func.max(Application.id).label("application_id"))
        .join(Application, ApplicationRow.application_id == Application.id)
        .join(SocialSupplement, SocialSupplement.application_id == Application.id)
        .where(Application.kind == ApplicationKind.test, Application.status == ApplicationStatus.completed)
        .group_by(ApplicationRow.channel_id)
        .subquery("latest")
    )
    return (
        sa.select(latest.c.channel_id, SocialSupplement.committed_annual_issuance, SocialSupplement.committed_mau)
        .join(SocialSupplement, SocialSupplement.application_id == latest.c.application_id)
        .subquery("commitment")
    )


def _committed(form2):
    """(annual, MAU): Form 2's, else an imported channel's own (issue 16), else NULL."""
    own = sa.or_(Channel.committed_annual_issuance.is_not(None), Channel.committed_mau.is_not(None))
    return (
        sa.case(
            (form2.c.channel_id.is_not(None), form2.c.committed_annual_issuance),
            (own, sa.func.coalesce(Channel.committed_annual_issuance, 0)),
        ).label("committed_annual"),
        sa.case(
            (form2.c.channel_id.is_not(None), form2.c.committed_mau),
            (own, sa.func.coalesce(Channel.committed_mau, 0)),
        ).label("committed_mau"),
    )


def _column(f, prefix: str):
    """month index -> that month's column of one figure (n, c or m)."""
    return lambda i: f.c[f"{prefix}{i}"]


def _notice_may_fire(f, last: int, th: Thresholds):
    """C4.9 (a), (b), (c) over the figures' columns, month `last` being the evaluated one."""
    n, c, m = (_column(f, p) for p in "ncm")
    low = n(last - 2) + n(last - 1) + n(last) < th.issuance_3m_min
    drops = [
        sa.and_(n(i - 1) > 0, n(i) <= sa.literal(th.drop_ratio * WIDER, sa.Float) * n(i - 1))
        for i in range(last - th.drop_months + 1, last + 1)
    ]
    inactive = m(last) <= sa.literal(th.mau_ratio * WIDER, sa.Float) * c(last)
    return sa.or_(low, sa.and_(*drops), inactive)


def _shortfall_may_fire(f, last: int, annual, mau, th: Thresholds):
    """C4.10 at a quarter's last month: each of the last `social_quarters` quarters below both commitments."""
    n, m = _column(f, "n"), _column(f, "m")
    below = []
    for q in range(th.social_quarters):
        months = range(last - 3 * q - 2, last - 3 * q + 1)
        issued, active = sum(n(i) for i in months), sum(m(i) for i in months)
        below += [
            issued <= sa.literal(th.social_ratio / 4 * WIDER, sa.Float) * annual,
            active <= sa.literal(3 * th.social_ratio * WIDER, sa.Float) * mau,
        ]
    return sa.and_(annual.is_not(None), sa.or_(annual > 0, mau > 0), *below)


def _heads(annual, mau, parent):
    return (
        Channel.id,
        Channel.name,
        Channel.channel_number,
        Channel.owner_id,
        parent.owner_id,
        Channel.live_since,
        Channel.category,
        annual,
        mau,
    )


def screen(month: date, span: int, th: Thresholds) -> tuple[dict[int, Unit], dict[int, Series]]:
    """The units to decide for `month` with their series ({month: (new, cumulative, MAU)} over the `span` months
    before it and itself), in one statement: the units whose figures may fire a rule or that have a record that
    matters, and the units that have such a record but no figures at all in those months."""
    months = window(month, span + 1)
    f, form2, parent = figures_by_unit(months), commitments(), aliased(Channel)
    annual, mau = _committed(form2)
    may_fire = _notice_may_fire(f, span, th)
    if month.month % 3 == 0:
        social = Channel.category == ChannelCategory.social
        may_fire = sa.or_(may_fire, sa.and_(social, _shortfall_may_fire(f, span, annual, mau, th)))
    recorded = Channel.id.in_(sa.select(MonitoringRecord.channel_id).where(matters(month)))
    names = [name for name, *_ in _pivot(months)]
    with_figures = (
        sa.select(*_heads(annual, mau, parent), *(f.c[name] for name in names))
        .select_from(f)
        .join(Channel, Channel.id == f.c.unit)
        .outerjoin(parent, Channel.parent_id == parent.id)
        .outerjoin(form2, form2.c.channel_id == Channel.id)
        .where(monitored(), sa.or_(may_fire, recorded))
    )
    without = (
        sa.select(*_heads(annual, mau, parent), *(sa.cast(sa.null(), sa.BigInteger).label(name) for name in names))
        .outerjoin(parent, Channel.parent_id == parent.id)
        .outerjoin(form2, form2.c.channel_id == Channel.id)
        .where(monitored(), recorded, Channel.id.not_in(sa.select(f.c.unit)))  # never NULL: a level-2 has a parent
    )
    units, series = {}, {}
    for cid, name, number, owner, parent_owner, live, category, annual_, mau_, *figures in db.session.execute(
        sa.union_all(with_figures, without)
    ):
        committed = None if annual_ is None else (annual_, mau_)
        units[cid] = Unit(cid, name, number, owner, parent_owner, live, category == ChannelCategory.social, committed)
        series[cid] = {m: tuple(figures[3 * i : 3 * i + 3]) for i, m in enumerate(months) if figures[3 * i] is not None}
    return units, series


def span_of(th: Thresholds) -> int:
    """How many months before the evaluated one the rules look at."""
    return max(th.drop_months, 3 * th.social_quarters - 1, 2)

"""The monitoring domain's scheduled work (registered with `app.core.jobs`): the monthly evaluation (C4.9, C4.10) at
EVALUATION_CRON, caught up by the daily checks from the 5th if it was missed, and the missing-report check (C3.6)."""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.i18n import register_codes
from app.core.jobs import register_cron, register_daily, run_job
from app.core.timeutil import today, utcnow
from app.core.transaction import transactional
from app.extensions import db
from app.modules.channels.models import Channel
from app.modules.channels.rules import MONITORED
from app.modules.messaging.operations import send_many, send_to_operators
from app.modules.monitoring.evaluation import evaluate
from app.modules.monitoring.models import MissingReport, MonthlyStatistic
from app.modules.monitoring.rules import month_end
from app.modules.monitoring.triggers import add_months, label

# C3.6 ------------------------------------------------------------------------------------------------------------


def _missing_by_head(month: date) -> dict[int, list[str]]:
    """{level-1 channel: numbers of it and its level-2 channels live that month without figures}, in one query."""
    head = sa.case((Channel.level == 2, Channel.parent_id), else_=Channel.id).label("head")
    reported = sa.exists().where(MonthlyStatistic.channel_id == Channel.id, MonthlyStatistic.month == month)
    rows = db.session.execute(
        sa.select(head, Channel.channel_number)
        .where(Channel.status.in_(MONITORED), Channel.live_since <= month_end(month), ~reported)
        .order_by(head, Channel.id)
    )
    missing = defaultdict(list)
    for head_id, number in rows:
        missing[head_id].append(number)
    return missing


@transactional
def check_missing_reports(on: date) -> dict:
    """C3.6: from STATISTICS_DUE_DAY of a month on, every level-1 channel that has not reported the previous month
    for itself and all its live level-2 channels is flagged once (owner and operators messaged); a flag is resolved
    when the figures have arrived. Set-based: a fixed number of statements."""
    due_day = current_app.config["STATISTICS_DUE_DAY"]
    month = add_months(on.replace(day=1), -1)
    if on.day < due_day:
        return {"month": label(month), "due": False}
    missing = _missing_by_head(month)
    flags = {r.channel_id: r for r in db.session.scalars(sa.select(MissingReport).where(MissingReport.month == month))}
    heads = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Channel).where(Channel.id.in_(set(missing) - set(flags)), Channel.level == 1)
        )
    }
    now = utcnow()
    new = [dict(channel_id=h, month=month, missing=missing[h], flagged_at=now) for h in heads]
    if new:
        db.session.execute(MissingReport.__table__.insert(), new)
        items = [
            (
                {
                    "channel": c.name,
                    "channel_number": c.channel_number,
                    "month": label(month),
                    "due_day": due_day,
                    "missing": "、".join(missing[c.id]),
                },
                "channel",
                c.id,
                c.owner_id,
            )
            for c in heads.values()
        ]
        send_many("monitoring.missing_report", items)
        send_to_operators(
            "monitoring.missing_report_operators", {"month": label(month), "due_day": due_day, "count": len(new)}
        )
    resolved = [r.id for h, r in flags.items() if r.resolved_at is None and h not in missing]
    if resolved:
        db.session.execute(sa.update(MissingReport).where(MissingReport.id.in_(resolved)).values(resolved_at=now))
    if new or resolved:
        audit.record(
            "monitoring.missing_reports",
            None,
            object_type="missing_report",
            object_id=label(month),
            after={"flagged": [n["channel_id"] for n in new], "resolved": resolved},
        )
    return {"month": label(month), "due": True, "flagged": len(new), "resolved": len(resolved)}


# the jobs --------------------------------------------------------------------------------------------------------


def monthly_evaluation(on: date | None = None) -> dict:
    """C4.9/C4.10: evaluate the month that ended before `on` (the schedule runs it on the 5th)."""
    month = add_months((on or today()).replace(day=1), -1)

    def work():
        outcome = evaluate(month, trigger="schedule")
        return {"units": outcome.units, "notices": outcome.notices, "alerts": outcome.alerts}

    return run_job("monthly_evaluation", label(month), work)


def catch_up_evaluation(on: date):
    """Improvement periods end with a month's evaluation: from the 5th, run it if the 5th's run was missed."""
    return monthly_evaluation(on) if on.day >= 5 else None


register_cron("monthly_evaluation", monthly_evaluation, "EVALUATION_CRON")
register_daily("monthly_evaluation", catch_up_evaluation, order=0)
register_daily("missing_reports", check_missing_reports, order=30, claim="missing_reports")

register_codes(
    "job",
    {
        "monthly_evaluation": ("月度评估", "Monthly evaluation"),
        "missing_reports": ("统计数据缺报检查", "Missing monthly figures check"),
    },
)

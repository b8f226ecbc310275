"""The scheduled jobs (issue 7) and the checks they run: the monthly evaluation (C4.9, C4.10), missing reports (C3.6),
agreement expiry and renewal (C4.11), security reports (C5.3), notice reminders (C4.3).

`run_job` makes each job's period run exactly once across processes and hosts: the job's `JobRun` row (unique per job
and period) is written in the same transaction as the job's work, so a second runner of the same period fails on the
unique key and skips, and a crash rolls back the row with the work — the next run does it all again."""

import socket
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.timeutil import today, utcnow
from app.core.transaction import ConcurrentWrite, transactional
from app.extensions import db
from app.modules.accounts.operations import purge_expired_sessions
from app.modules.channels.models import Channel
from app.modules.channels.rules import MONITORED
from app.modules.messaging.operations import send_many, send_to_operators
from app.modules.monitoring.models import JobRun, MissingReport, MonthlyStatistic
from app.modules.monitoring.rules import month_end
from app.modules.monitoring.triggers import add_months, label


def run_job(job: str, period: str, work) -> dict:
    """Run `work()` once for (job, period): {"skipped": True} if it has already run (or is running elsewhere)."""
    if db.session.scalar(sa.select(JobRun.id).where(JobRun.job == job, JobRun.period == period)):
        return {"job": job, "period": period, "skipped": True}
    try:
        return _run_once(job, period, work)
    except ConcurrentWrite:
        db.session.rollback()
        return {"job": job, "period": period, "skipped": True}


@transactional
def _run_once(job: str, period: str, work) -> dict:
    row = JobRun(job=job, period=period, host=socket.gethostname()[:100])
    db.session.add(row)
    db.session.flush()
    result = work()
    row.finished_at, row.outcome = utcnow(), str(result)[:2000]
    return {"job": job, "period": period, "result": result}


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
    from app.modules.monitoring.evaluation import evaluate

    month = add_months((on or today()).replace(day=1), -1)

    def work():
        outcome = evaluate(month, trigger="schedule")
        return {"units": outcome.units, "notices": outcome.notices, "alerts": outcome.alerts}

    return run_job("monthly_evaluation", label(month), work)


def exit_jobs(on: date) -> dict:
    """C6.4 forced exits the system calls for, exits whose transition ended (C6.2), interrupted deletions (C6.5).
    Idempotent by state (no period claim: a deletion that crashed must resume the same day)."""
    from app.modules.exits.deletion import resume_unfinished
    from app.modules.exits.operations import complete_due, open_due_forced_exits

    return {"forced": open_due_forced_exits(on), "completed": complete_due(on), "resumed": resume_unfinished()}


def daily_checks(on: date | None = None) -> dict:
    """Missing reports, agreement expiry and renewal, security reports and notice reminders, once per day; and the
    previous month's evaluation if it has not run yet (the scheduler was down on the 5th)."""
    from app.modules.agreements.renewal import check_renewals
    from app.modules.incidents.operations import escalate_overdue
    from app.modules.notices.operations import send_reminders
    from app.modules.security_tests.jobs import check_report_expiry

    on = on or today()
    period = on.isoformat()
    catch_up = {}
    if on.day >= 5:  # improvement periods end with a month's evaluation: catch up if the 5th's run was missed
        catch_up["monthly_evaluation"] = monthly_evaluation(on)
    return catch_up | {
        "incident_escalation": run_job("incident_escalation", period, lambda: escalate_overdue(on)),
        "exits": exit_jobs(on),
        "missing_reports": run_job("missing_reports", period, lambda: check_missing_reports(on)),
        "renewals": run_job("agreement_renewals", period, lambda: check_renewals(on)),
        "security_reports": run_job("security_reports", period, lambda: check_report_expiry(on)),
        "notice_reminders": run_job("notice_reminders", period, lambda: {"reminders": send_reminders()}),
        "expired_sessions": run_job("expired_sessions", period, lambda: {"deleted": purge_expired_sessions()}),
    }


def recent_runs(limit: int = 30) -> list[JobRun]:
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.id.desc()).limit(limit)))

"""Scheduled jobs, shared by every domain (../shared/STYLE.md "Layers and registries"): each domain registers its
jobs in its own `jobs.py` (`register_daily`, `register_cron`, `register_interval`); `create_app` loads those modules;
the scheduler (`app.core.scheduler`) and `daily_checks` run what is registered and import no domain.

`run_job` makes each job's period run exactly once across processes and hosts: the job's `JobRun` row (unique per job
and period) is written in the same transaction as the job's work, so a second runner of the same period fails on the
unique key and skips, and a crash rolls back the row with the work — the next run does it all again. Run by the
scheduler, the claim is also fenced (`fenced`): the scheduler's lease is checked at the claim and just before the
commit, in the same transaction, and its token kept in the row (app.core.scheduler)."""

import socket
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import today, utcnow
from app.core.transaction import ConcurrentWrite, transactional
from app.extensions import db


class JobRun(db.Model):
    __tablename__ = "job_run"
    __table_args__ = (
        sa.UniqueConstraint("job", "period", name="uq_job_run_period"),
        {"comment": "Scheduled jobs: one row per job and period, so a period runs once across hosts."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(48))
    period: Mapped[str] = mapped_column(sa.String(16), comment="YYYY-MM-DD or YYYY-MM")
    host: Mapped[str] = mapped_column(sa.String(100), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    fencing_token: Mapped[int | None] = mapped_column(
        sa.BigInteger, comment="the scheduler lease's token, if run by it"
    )


@dataclass(frozen=True)
class Job:
    key: str
    func: Callable
    order: int = 0
    claim: str | None = None  # daily: the JobRun name its day is claimed under (None: idempotent by state)
    setting: str | None = None  # cron: the configuration key of its crontab
    seconds: float | None = None  # interval


DAILY: list[Job] = []
CRON: list[Job] = []
INTERVAL: list[Job] = []


def register_daily(key: str, check: Callable[[date], object], *, order: int, claim: str | None = None) -> None:
    """`check(on)` runs once a day within `daily_checks`, under `claim` when given; a result of None is left out."""
    DAILY[:] = sorted([j for j in DAILY if j.key != key] + [Job(key, check, order, claim)], key=lambda j: j.order)


def register_cron(key: str, func: Callable[[], object], setting: str) -> None:
    CRON[:] = [j for j in CRON if j.key != key] + [Job(key, func, setting=setting)]


def register_interval(key: str, func: Callable[[], object], *, minutes: float = 0, seconds: float = 0) -> None:
    INTERVAL[:] = [j for j in INTERVAL if j.key != key] + [Job(key, func, seconds=minutes * 60 + seconds)]


_fence: ContextVar[Callable[[], int] | None] = ContextVar("scheduler_fence", default=None)


@contextmanager
def fenced(check: Callable[[], int]):
    """Within this block every `run_job` claim calls `check()` in its transaction (LeaseLost: nothing commits)."""
    token = _fence.set(check)
    try:
        yield
    finally:
        _fence.reset(token)


def _check_fence() -> int | None:
    check = _fence.get()
    return check() if check is not None else None


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
    row = JobRun(job=job, period=period, host=socket.gethostname()[:100], fencing_token=_check_fence())
    db.session.add(row)
    db.session.flush()
    result = work()
    row.finished_at, row.outcome = utcnow(), str(result)[:2000]
    _check_fence()  # the lease row stays locked until this transaction commits: no takeover in between
    return {"job": job, "period": period, "result": result}


def _daily(job: Job, on: date):
    if job.claim is None:
        return job.func(on)
    return run_job(job.claim, on.isoformat(), lambda: job.func(on))


def daily_checks(on: date | None = None) -> dict:
    """Every registered daily check, in order, each at most once a day (see the README, Monitoring, for the list)."""
    on = on or today()
    results = {job.key: _daily(job, on) for job in DAILY}
    return {key: result for key, result in results.items() if result is not None}


def recent_runs(limit: int = 30) -> list[JobRun]:
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.id.desc()).limit(limit)))

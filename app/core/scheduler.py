"""The scheduler (APScheduler 3): exactly one process per deployment runs the scheduled jobs, whatever the number of
hosts, and a standby takes over when it stops.

Leadership is a lease, one row of `scheduler_lease`: the leader renews it every SCHEDULER_HEARTBEAT_SECONDS in a
statement of its own (no transaction is ever left open, so neither vacuum nor `idle_in_transaction_session_timeout`
nor a pooler in transaction mode can touch it); a standby takes it only once it has expired (SCHEDULER_LEASE_SECONDS
after the last renewal, by the database's clock), and every takeover increases the lease's fencing token.

- The leader counts its lease valid until SCHEDULER_LEASE_SECONDS minus one heartbeat after the moment it *sent* its
  last successful renewal: it stops before any standby can take over. It stops at once when a renewal finds the
  lease taken. A job still running then cannot be stopped from outside, so the process exits (fail-stop; systemd
  starts it again as a standby): never two leaders running jobs.
- Every job run claimed through `jobs.run_job` checks the token in its own transaction, at its claim and again just
  before its commit (the row lock taken then holds off a takeover until the commit), and keeps the token in its
  `job_run` row. A leader that lost its lease commits nothing.
- Each job run is logged (one JSON line: job, outcome, duration, token) and counted in the metrics.
- SIGTERM: no new job starts, running ones finish while the lease is still renewed, then the lease is released so
  the standby takes over at its next look.
"""

import logging
import os
import secrets
import signal
import socket
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.core import jobs, metrics
from app.core.metrics import JOB_DURATION, JOB_RUNS
from app.extensions import db

log = logging.getLogger("essc.scheduler")
LEASE = "scheduler"
EXIT_LEASE_LOST = 75  # EX_TEMPFAIL: the unit restarts it as a standby


class SchedulerLease(db.Model):
    __tablename__ = "scheduler_lease"
    __table_args__ = {"comment": "The scheduler's leadership: one row, renewed by the leader, taken when it expired."}

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(100), default="", comment="host:pid:nonce of the leader, '' none")
    token: Mapped[int] = mapped_column(sa.BigInteger, default=0, comment="fencing token: +1 at every takeover")
    expires_at: Mapped[datetime] = mapped_column(comment="UTC, by the database's clock")
    renewed_at: Mapped[datetime | None] = mapped_column(comment="UTC")


class LeaseLost(RuntimeError):
    """This process no longer holds the scheduler's lease: its job must not commit."""


class Lease:
    """One process's handle on the lease row. Every statement is its own short transaction."""

    def __init__(self, engine, seconds: float, holder: str | None = None):
        self.engine, self.seconds = engine, seconds
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]
        self.token: int | None = None
        self.table = SchedulerLease.__table__

    def _now(self, later: float = 0):
        """Now (plus `later` seconds): by the database's clock on PostgreSQL, where the hosts' clocks may differ; by
        this host's on SQLite (one host), the real clock either way (never the app's frozen test clock)."""
        if self.engine.dialect.name == "postgresql":
            return sa.func.timezone("UTC", sa.func.clock_timestamp()) + timedelta(seconds=later)
        return sa.literal(datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=later), sa.DateTime())

    def _mine(self):
        return sa.and_(self.table.c.name == LEASE, self.table.c.holder == self.holder, self.table.c.token == self.token)

    def _ensure_row(self, conn) -> None:
        """The migration creates the row; a database emptied by hand (or by the tests) gets it back, free."""
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(self.table)
        free = {"name": LEASE, "holder": "", "token": 0, "expires_at": datetime(2000, 1, 1)}
        conn.execute(insert.values(**free).on_conflict_do_nothing(index_elements=["name"]))

    def acquire(self) -> int | None:
        """Take the lease if it is free or expired; the new fencing token, or None while another holds it."""
        now = self._now()
        statement = (
            self.table.update()
            .where(self.table.c.name == LEASE, sa.or_(self.table.c.holder == "", self.table.c.expires_at < now))
            .values(
                holder=self.holder,
                token=self.table.c.token + 1,
                expires_at=self._now(self.seconds),
                renewed_at=now,
            )
            .returning(self.table.c.token)
        )
        with self.engine.begin() as conn:
            self._ensure_row(conn)
            self.token = conn.execute(statement).scalar()
        return self.token

    def renew(self) -> bool:
        """Extend the lease; False when it is no longer this process's (taken over, or expired unrenewed)."""
        now = self._now()
        statement = (
            self.table.update()
            .where(self._mine(), self.table.c.expires_at >= now)
            .values(expires_at=self._now(self.seconds), renewed_at=now)
        )
        with self.engine.begin() as conn:
            return conn.execute(statement).rowcount == 1

    def release(self) -> None:
        if self.token is None:
            return
        statement = self.table.update().where(self._mine()).values(holder="", expires_at=datetime(2000, 1, 1))
        with self.engine.begin() as conn:
            conn.execute(statement)
        self.token = None

    def check(self) -> int:
        """The fence, inside the caller's transaction (db.session): raises LeaseLost unless the lease is still this
        process's and unexpired; the row stays locked until that transaction ends. Returns the token."""
        statement = (
            self.table.update()
            .where(self._mine(), self.table.c.expires_at > self._now())
            .values(renewed_at=self.table.c.renewed_at)
        )
        if self.token is None or db.session.execute(statement).rowcount != 1:
            raise LeaseLost(f"the scheduler lease is no longer held by {self.holder}")
        return self.token


class Leadership:
    """While leading: the heartbeat thread renews the lease; `valid()` says whether a job may start now."""

    def __init__(self, lease: Lease, heartbeat: float):
        self.lease, self.heartbeat = lease, heartbeat
        self.valid_until = time.monotonic() + lease.seconds - heartbeat
        self.lost = threading.Event()
        self.done = threading.Event()
        self.running = 0
        self.counter = threading.Lock()

    def valid(self) -> bool:
        return not self.lost.is_set() and time.monotonic() < self.valid_until

    def beat(self) -> None:
        while not self.done.wait(self.heartbeat):
            sent = time.monotonic()
            try:
                renewed = self.lease.renew()
            except Exception as exc:  # the database is unreachable: the lease runs out by itself
                log.warning("scheduler lease not renewed: %s", type(exc).__name__)
                continue
            if renewed:
                self.valid_until = sent + self.lease.seconds - self.heartbeat
            else:
                log.error("scheduler lease lost (token %s)", self.lease.token)
                self.lost.set()
                return

    def job_started(self) -> None:
        with self.counter:
            self.running += 1

    def job_ended(self) -> None:
        with self.counter:
            self.running -= 1


def _runner(app, leadership: Leadership, key: str, func):
    """One run of a job: only while the lease is valid, in an app context, fenced, timed, logged and counted."""

    def run():
        if not leadership.valid():
            return
        leadership.job_started()
        started, outcome, result = time.monotonic(), "ok", None
        try:
            with app.app_context(), jobs.fenced(leadership.lease.check):
                try:
                    result = func()
                    outcome = "skipped" if isinstance(result, dict) and result.get("skipped") else "ok"
                except LeaseLost:
                    outcome = "fenced"
                    db.session.rollback()
                except Exception:  # a failing job is logged and retried at its next run; the scheduler keeps going
                    outcome = "failed"
                    log.exception("job %s failed", key)
                    db.session.rollback()
        finally:
            leadership.job_ended()
            _report(key, outcome, time.monotonic() - started, leadership.lease.token, result)

    run.__name__ = key
    return run


def _report(key: str, outcome: str, seconds: float, token, result) -> None:
    JOB_RUNS.labels(job=key, outcome=outcome).inc()
    JOB_DURATION.labels(job=key).observe(seconds)
    fields = {"event": "job", "job": key, "outcome": outcome, "duration_ms": round(seconds * 1000, 1)}
    fields |= {"fence": token, "result": str(result)[:500] if result is not None else None}
    (log.warning if outcome in ("failed", "fenced") else log.info)("job %s %s", key, outcome, extra={"fields": fields})


def build_scheduler(app, leadership: Leadership) -> BackgroundScheduler:
    """The registered jobs and their times (SCHEDULER_TIMEZONE, default Asia/Shanghai): each cron job at its
    configured crontab, the daily checks at DAILY_CHECKS_CRON, each interval job every so many seconds; each run
    only while `leadership` is valid."""
    zone = app.config["SCHEDULER_TIMEZONE"]
    scheduler = BackgroundScheduler(timezone=zone, job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs.CRON:
        trigger = CronTrigger.from_crontab(app.config[job.setting], timezone=zone)
        runner = _runner(app, leadership, job.key, job.func)
        scheduler.add_job(runner, trigger, id=job.key, misfire_grace_time=6 * 3600)
    daily = CronTrigger.from_crontab(app.config["DAILY_CHECKS_CRON"], timezone=zone)
    runner = _runner(app, leadership, "daily_checks", jobs.daily_checks)
    scheduler.add_job(runner, daily, id="daily_checks", misfire_grace_time=6 * 3600)
    for job in jobs.INTERVAL:
        trigger = IntervalTrigger(seconds=job.seconds)
        scheduler.add_job(_runner(app, leadership, job.key, job.func), trigger, id=job.key)
    return scheduler


def run_scheduler(stopping: threading.Event | None = None) -> None:
    """Stand by until the lease is free, lead until it is lost or the process is told to stop (SIGTERM, SIGINT, or
    `stopping` set), and again."""
    app = current_app._get_current_object()
    config = app.config
    lease = Lease(db.engine, config["SCHEDULER_LEASE_SECONDS"])
    heartbeat = config["SCHEDULER_HEARTBEAT_SECONDS"]
    if config["METRICS_PORT"]:
        metrics.serve(config["METRICS_ADDRESS"], config["METRICS_PORT"], app)
    with stop_signals(stopping) as stopping:
        waiting_logged = False
        while not stopping.is_set():
            if _try_acquire(lease) is None:
                if not waiting_logged:
                    log.info("another scheduler holds the lease; standing by (%s)", lease.holder)
                    waiting_logged = True
                stopping.wait(heartbeat)
                continue
            waiting_logged = False
            log.info("scheduler lease taken (%s, token %s); running the jobs", lease.holder, lease.token)
            _lead(app, lease, heartbeat, stopping)
    log.info("scheduler stopped (%s)", lease.holder)


@contextmanager
def stop_signals(stopping: threading.Event | None = None):
    """An event set by SIGTERM or SIGINT while the block runs (the handlers before it are put back afterwards); a
    caller's own event is used as it is (a process's loop run from a thread, in the tests)."""
    if stopping is not None:
        yield stopping
        return
    stopping = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stopping
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _try_acquire(lease: Lease) -> int | None:
    try:
        return lease.acquire()
    except Exception as exc:  # the database is unreachable: try again at the next look
        log.warning("scheduler lease not reachable: %s", type(exc).__name__)
        return None


def _lead(app, lease: Lease, heartbeat: float, stopping: threading.Event) -> None:
    leadership = Leadership(lease, heartbeat)
    beat = threading.Thread(target=leadership.beat, name="scheduler-lease", daemon=True)
    beat.start()
    scheduler = build_scheduler(app, leadership)
    scheduler.start()
    while not stopping.is_set() and leadership.valid():
        stopping.wait(0.2)
    if stopping.is_set():  # told to stop: let running jobs finish under a renewed lease, then hand over
        scheduler.shutdown(wait=True)
        leadership.done.set()
        beat.join()
        _release(lease)
        return
    scheduler.shutdown(wait=False)
    leadership.done.set()
    if leadership.running:
        log.critical("scheduler lease lost with %s job(s) running: exiting", leadership.running)
        logging.shutdown()
        os._exit(EXIT_LEASE_LOST)
    log.warning("scheduler lease lost (token %s); standing by", lease.token)
    lease.token = None


def _release(lease: Lease) -> None:
    try:
        lease.release()
    except Exception as exc:  # it runs out by itself
        log.warning("scheduler lease not released: %s", type(exc).__name__)

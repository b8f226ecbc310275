"""The scheduler (APScheduler 3): one process per deployment runs every scheduled job.

Exactly one scheduler works at a time, whatever the number of gunicorn workers or hosts: the scheduler is its own
process (`flask monitoring scheduler`, never started inside web workers), and before it schedules anything it takes a
database-wide lock — a PostgreSQL session advisory lock held on a dedicated connection, or an exclusive file lock next
to an SQLite database. A second scheduler waits as a standby and takes over when the first one's connection ends.
Independently of the lock, each job's period is claimed in the job's own transaction (`jobs.run_job`), so even two
schedulers could not run the same month's evaluation or the same day's checks twice. The jobs are those the domains
registered (`app.core.jobs`)."""

import fcntl
import logging
import os
import time
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app

from app.core import jobs
from app.extensions import db

LOCK_KEY = 7_420_150_001  # the advisory-lock key of the scheduler
log = logging.getLogger("essc.scheduler")


class SchedulerLock:
    """Held for the life of the scheduler process; `acquire()` returns False while another process holds it."""

    def __init__(self, engine):
        self.engine, self.connection, self.file = engine, None, None

    def acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            self.connection = self.engine.connect()
            got = self.connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()
            if not got:
                self.connection.close()
                self.connection = None
            return bool(got)
        path = Path(self.engine.url.database or "essc").with_suffix(".scheduler.lock")
        self.file = open(path, "a+")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            self.file = None
            return False
        return True

    def release(self) -> None:
        if self.connection is not None:  # unlock first: closing only returns the session to the pool
            self.connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            self.connection.close()
            self.connection = None
        if self.file is not None:
            self.file.close()
            self.file = None


def _in_context(app, func):
    def job():
        with app.app_context():
            try:
                log.info("%s: %s", func.__name__, func())
            except Exception:  # a failing job is logged and retried at its next run; the scheduler keeps going
                log.exception("job %s failed", func.__name__)
                db.session.rollback()

    job.__name__ = func.__name__
    return job


def build_scheduler(app) -> BlockingScheduler:
    """The registered jobs and their times (SCHEDULER_TIMEZONE, default Asia/Shanghai): each cron job at its
    configured crontab, the daily checks at DAILY_CHECKS_CRON, each interval job every so many minutes."""
    zone = app.config["SCHEDULER_TIMEZONE"]
    scheduler = BlockingScheduler(timezone=zone, job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs.CRON:
        trigger = CronTrigger.from_crontab(app.config[job.setting], timezone=zone)
        scheduler.add_job(_in_context(app, job.func), trigger, id=job.key, misfire_grace_time=6 * 3600)
    daily = CronTrigger.from_crontab(app.config["DAILY_CHECKS_CRON"], timezone=zone)
    scheduler.add_job(_in_context(app, jobs.daily_checks), daily, id="daily_checks", misfire_grace_time=6 * 3600)
    for job in jobs.INTERVAL:
        scheduler.add_job(_in_context(app, job.func), IntervalTrigger(minutes=job.minutes), id=job.key)
    return scheduler


def run_scheduler(poll_seconds: int = 30) -> None:
    app = current_app._get_current_object()
    lock = SchedulerLock(db.engine)
    while not lock.acquire():
        log.warning("another scheduler holds the lock; standing by (pid %s)", os.getpid())
        time.sleep(poll_seconds)
    log.warning("scheduler lock taken (pid %s); running the jobs", os.getpid())
    try:
        build_scheduler(app).start()
    finally:
        lock.release()

"""The scheduler cannot split (issue 26 item 3): two scheduler processes ("hosts") on one database, each running a
probe job every 0.5 s that writes when it started and ended. Whatever happens — the leader's connections killed by
PostgreSQL (`pg_terminate_backend`), `idle_in_transaction_session_timeout` set, the leader `kill -9`ed or stopped —
no two processes ever run a job at the same time, and a standby takes over within 30 s (the lease's bound)."""

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from app.core.scheduler import (
    EXIT_LEASE_LOST,
    Leadership,
    Lease,
    LeaseLost,
    SchedulerLease,
    _runner,
    run_scheduler,
)
from app.extensions import db

pytestmark = pytest.mark.commits

LEASE, HEARTBEAT = 4.0, 0.5
FUTURE = datetime(2100, 1, 1)
SCHEDULER = """
import json, os, sys, time
from app import create_app
from app.core import jobs
from app.core.scheduler import run_scheduler

url, keys, probes, name = sys.argv[1:]


def probe():
    started = time.time()
    time.sleep(float(os.environ["PROBE_SECONDS"]))
    with open(probes, "a") as out:
        out.write(json.dumps({"pid": os.getpid(), "start": started, "end": time.time()}) + "\\n")


jobs.CRON[:], jobs.DAILY[:], jobs.INTERVAL[:] = [], [], []
jobs.register_interval("probe", probe, seconds=0.5)
app = create_app(
    "testing", SQLALCHEMY_DATABASE_URI=url, KEYS_DIR=keys, DB_APP_NAME=name, LOG_FORMAT="json",
    SCHEDULER_LEASE_SECONDS=float(os.environ["LEASE"]), SCHEDULER_HEARTBEAT_SECONDS=float(os.environ["HEARTBEAT"]),
    DAILY_CHECKS_CRON="0 0 1 1 *",
)
with app.app_context():
    run_scheduler()
"""


class Hosts:
    """Scheduler processes on the test database, each with its own name (PostgreSQL's application_name)."""

    def __init__(self, app, tmp_path: Path):
        self.app, self.tmp = app, tmp_path
        self.probes = tmp_path / "probes.jsonl"
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, probe_seconds: float = 0.3) -> subprocess.Popen:
        url, keys = self.app.config["SQLALCHEMY_DATABASE_URI"], self.app.config["KEYS_DIR"]
        env = os.environ | {"LEASE": str(LEASE), "HEARTBEAT": str(HEARTBEAT), "PROBE_SECONDS": str(probe_seconds)}
        with open(self.tmp / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", SCHEDULER, url, keys, str(self.probes), name], env=env, stderr=log
            )
        self.processes[name] = process
        return process

    def runs(self) -> list[dict]:
        if not self.probes.exists():
            return []
        return [json.loads(line) for line in self.probes.read_text().splitlines() if line.strip()]

    def leader(self, within: float = 30) -> tuple[str, float]:
        """The name of the process running the probe now (waiting up to `within` seconds) and when it began."""
        started, seen = time.monotonic(), len(self.runs())
        pids = {p.pid: name for name, p in self.processes.items()}
        while time.monotonic() - started < within:
            fresh = self.runs()[seen:]
            if fresh:
                return pids.get(fresh[-1]["pid"], "?"), time.monotonic() - started
            time.sleep(0.1)
        pytest.fail(f"no scheduler ran the probe within {within} s: {self.log_tail()}")

    def log_tail(self) -> str:
        return {name: (self.tmp / f"{name}.log").read_text()[-1500:] for name in self.processes}.__repr__()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
            process.wait(10)


@pytest.fixture
def hosts(app, tmp_path):
    made = Hosts(app, tmp_path)
    yield made
    made.stop_all()


def assert_never_two_at_once(runs: list[dict]) -> None:
    ordered = sorted(runs, key=lambda r: r["start"])
    for before, after in itertools.pairwise(ordered):
        if before["pid"] != after["pid"]:
            assert after["start"] >= before["end"], f"two schedulers ran a job at once: {before} {after}"


def _postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def test_one_leader_and_a_standby_that_takes_over_within_30_s_of_kill_9(app, hosts):
    hosts.start("essc-scheduler-a")
    first, _ = hosts.leader()
    hosts.start("essc-scheduler-b")
    time.sleep(3 * HEARTBEAT)
    assert {r["pid"] for r in hosts.runs()} == {hosts.processes[first].pid}  # the standby waits
    hosts.processes[first].send_signal(signal.SIGKILL)
    killed = time.monotonic()
    second, _ = hosts.leader()
    took = time.monotonic() - killed
    assert second != first and took < 30, (second, took)
    assert took >= LEASE - 2 * HEARTBEAT  # it waited for the lease to expire: it did not grab a live one
    time.sleep(4 * HEARTBEAT)
    assert_never_two_at_once(hosts.runs())


def test_a_stopped_leader_hands_over_at_once(app, hosts):
    hosts.start("essc-scheduler-a")
    first, _ = hosts.leader()
    hosts.start("essc-scheduler-b")
    time.sleep(2 * HEARTBEAT)
    hosts.processes[first].send_signal(signal.SIGTERM)
    assert hosts.processes[first].wait(20) == 0  # it finished its job and released the lease
    stopped = time.monotonic()
    second, _ = hosts.leader()
    assert second != first and time.monotonic() - stopped < LEASE  # no need to wait for the lease to run out
    assert_never_two_at_once(hosts.runs())


def test_connections_killed_by_postgresql_never_give_two_leaders(app, hosts):
    """The old lock was a session lock on a connection left idle in transaction: killed by PostgreSQL (or by
    idle_in_transaction_session_timeout), the standby took the lock while the leader kept running jobs."""
    if not _postgres(app):
        pytest.skip("pg_terminate_backend and idle_in_transaction_session_timeout are PostgreSQL's")
    database = db.engine.url.database
    admin = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"ALTER DATABASE \"{database}\" SET idle_in_transaction_session_timeout = '500ms'"))
    try:
        hosts.start("essc-scheduler-a")
        hosts.leader()
        hosts.start("essc-scheduler-b")
        idle, deadline = [], time.monotonic() + 12
        with admin.connect() as conn:
            while time.monotonic() < deadline:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE :n"),
                    {"n": "essc-scheduler-%"},
                )
                idle += conn.execute(
                    sa.text(
                        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE :n "
                        "AND state = 'idle in transaction' AND now() - state_change > interval '200 ms'"
                    ),
                    {"n": "essc-scheduler-%"},
                ).all()
                time.sleep(0.7)
        assert idle == []  # no transaction is ever left open: nothing for vacuum or the timeout to act on
        hosts.leader()  # and a leader still runs the jobs
        assert_never_two_at_once(hosts.runs())
        assert len({r["pid"] for r in hosts.runs()}) <= 2
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{database}" RESET idle_in_transaction_session_timeout'))
        admin.dispose()


def test_a_leader_that_loses_its_lease_while_a_job_runs_exits_rather_than_run_beside_the_next(app, hosts):
    """Fail-stop: a running job cannot be stopped from outside, so the process ends (the unit restarts it)."""
    leader = hosts.start("essc-scheduler-a", probe_seconds=5)
    lease = SchedulerLease.__table__
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # it holds the lease and its first probe is running
        if str(leader.pid) in (db.session.scalar(sa.select(lease.c.holder)) or ""):
            break
        db.session.rollback()
        time.sleep(0.1)
    time.sleep(1)
    db.session.execute(lease.update().values(holder="another-host", token=lease.c.token + 1, expires_at=FUTURE))
    db.session.commit()  # another host has taken the lease (as if this one had been cut off from the database)
    assert leader.wait(10) == EXIT_LEASE_LOST
    assert hosts.runs() == []  # the job it was running never finished: nothing it did ran beside the new leader


# --- the same pieces in this process (a thread for the loop), where coverage sees them --------------------------------


def _runs(job: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("essc_job_runs_total", {"job": job, "outcome": outcome}) or 0.0


def test_a_job_runs_only_while_the_lease_holds_and_each_outcome_is_counted(app):
    lease = Lease(db.engine, 30)
    assert lease.acquire() is not None
    leadership = Leadership(lease, 1)

    def fenced():
        raise LeaseLost("taken")

    def failing():
        raise ValueError("boom")

    cases = {
        "t-ok": (lambda: {"done": 1}, "ok"),
        "t-skipped": (lambda: {"skipped": True}, "skipped"),
        "t-failed": (failing, "failed"),
        "t-fenced": (fenced, "fenced"),
    }
    for key, (func, outcome) in cases.items():
        before = _runs(key, outcome)
        _runner(app, leadership, key, func)()
        assert _runs(key, outcome) == before + 1, key
    assert leadership.running == 0
    ran = []
    leadership.lost.set()  # lost: nothing starts any more
    _runner(app, leadership, "t-after", lambda: ran.append(1))()
    assert ran == [] and _runs("t-after", "ok") == 0
    lease.release()


def test_the_heartbeat_extends_the_lease_and_notices_a_takeover(app, monkeypatch):
    lease = Lease(db.engine, 30)
    lease.acquire()
    leadership = Leadership(lease, 0.05)
    first = leadership.valid_until
    beat = threading.Thread(target=leadership.beat)
    beat.start()
    try:
        assert _within(lambda: leadership.valid_until > first)
        monkeypatch.setattr(lease, "renew", _unreachable)  # the database away: keep trying, never extend
        stalled = leadership.valid_until
        time.sleep(0.3)
        assert leadership.valid_until == stalled and not leadership.lost.is_set()
        monkeypatch.setattr(lease, "renew", lambda: False)  # taken over
        assert _within(leadership.lost.is_set)
    finally:
        leadership.done.set()
        beat.join(5)
    assert not leadership.valid()


def _unreachable():
    raise ConnectionError("database away")


def _within(check, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def _holder() -> str:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(SchedulerLease.holder)).scalar() or ""


def test_the_scheduler_loop_leads_loses_stands_by_and_stops_when_told(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_LEASE_SECONDS", 2.0)
    monkeypatch.setitem(app.config, "SCHEDULER_HEARTBEAT_SECONDS", 0.1)
    stopping = threading.Event()

    def loop():
        with app.app_context():
            run_scheduler(stopping)

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        assert _within(lambda: f":{os.getpid()}:" in _holder())  # it leads
        with db.engine.begin() as conn:  # another host takes the lease
            conn.execute(SchedulerLease.__table__.update().values(holder="another-host", expires_at=FUTURE))
        assert _within(lambda: _holder() == "another-host", 2)
        time.sleep(0.5)  # it noticed, stood down (no job was running) and waits
        assert thread.is_alive() and _holder() == "another-host"
        with db.engine.begin() as conn:  # the other host is gone: its lease runs out
            conn.execute(SchedulerLease.__table__.update().values(expires_at=datetime(2000, 1, 1)))
        assert _within(lambda: f":{os.getpid()}:" in _holder())  # it leads again
    finally:
        stopping.set()
        thread.join(20)
    assert not thread.is_alive() and _holder() == ""  # told to stop: it handed the lease over

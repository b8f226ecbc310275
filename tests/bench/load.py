"""Load test: `make load` (or `python -m tests.bench.load`).

Starts the app under gunicorn on 127.0.0.1 against a fresh PostgreSQL database with the demo data, drives a realistic
mix from this second process for a bounded time, and prints one JSON line: requests, errors, p50/p95/p99 latency,
requests per second and the peak number of database connections. Only loopback addresses are used.

Mix per virtual user: sign in through the login page (CSRF token, scrypt password check) and get an API token, then
loop over home page, application list, application detail, API list and API detail, signing in again every 200
requests. (The signed channel-gateway request joins the mix when the gateway exists, issue 4.)
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Demo-essc-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str, env: dict) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([sys.executable, "-m", "flask", *command], env=env, cwd=ROOT, check=True, capture_output=True)


class Client:
    """One keep-alive connection with its own cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data, elapsed


class User(threading.Thread):
    def __init__(self, port: int, deadline: float, app_ids: list[int], results: list):
        super().__init__(daemon=True)
        self.client, self.deadline, self.app_ids, self.results = Client(port), deadline, app_ids, results
        self.token = ""

    def record(self, status: int, elapsed: float, expected=(200, 201, 302)) -> None:
        self.results.append((elapsed, status in expected))

    def sign_in(self) -> None:
        self.client.cookie = ""
        status, page, elapsed = self.client.request("GET", "/login")
        self.record(status, elapsed)
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        form = urlencode({"csrf_token": token, "username": "huimin_user", "password": PASSWORD})
        status, _, elapsed = self.client.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        self.record(status, elapsed)
        body = json.dumps({"username": "huimin_user", "password": PASSWORD})
        status, data, elapsed = self.client.request(
            "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}
        )
        self.record(status, elapsed)
        self.token = json.loads(data)["token"] if status == 201 else ""

    def run(self) -> None:
        count = 0
        self.sign_in()
        while time.monotonic() < self.deadline:
            app_id = self.app_ids[count % len(self.app_ids)]
            api = {"Authorization": f"Bearer {self.token}"}
            for path, headers in (
                ("/", {}),
                ("/applications", {}),
                (f"/applications/{app_id}", {}),
                ("/api/v1/applications", api),
                (f"/api/v1/applications/{app_id}", api),
            ):
                status, _, elapsed = self.client.request("GET", path, headers=headers)
                self.record(status, elapsed)
            count += 5
            if count % 200 == 0:
                self.sign_in()


def watch_connections(url: str, stop: threading.Event, peak: list) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    name = sa.engine.make_url(url).database
    while not stop.is_set():
        with engine.connect() as conn:
            count = (
                conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"), {"d": name}).scalar()
                - 1
            )
        peak[0] = max(peak[0], count)
        stop.wait(0.2)
    engine.dispose()


def application_ids(url: str) -> list[int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = (
            conn.execute(
                sa.text(
                    "SELECT a.id FROM application a JOIN user_account u ON u.organisation_id = "
                    "a.applicant_id WHERE u.username = 'huimin_user'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return ids


def start_server(port: int, env: dict, workers: int, threads: int, app: str = "wsgi:app") -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/essc_load")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    pool, overflow = args.threads, 2
    env = os.environ | {
        "DATABASE_URL": args.database_url,
        "FLASK_APP": "wsgi.py",
        "FLASK_CONFIG": "development",
        "DB_POOL_SIZE": str(pool),
        "DB_MAX_OVERFLOW": str(overflow),
    }
    prepare_database(args.database_url, env)
    port = free_port()
    server = start_server(port, env, args.workers, args.threads)
    stop, peak, results = threading.Event(), [0], []
    try:
        watcher = threading.Thread(target=watch_connections, args=(args.database_url, stop, peak), daemon=True)
        watcher.start()
        deadline = time.monotonic() + args.seconds
        users = [User(port, deadline, application_ids(args.database_url), results) for _ in range(args.users)]
        started = time.monotonic()
        for user in users:
            user.start()
        for user in users:
            user.join(args.seconds + 60)
        duration = time.monotonic() - started
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    engine = sa.create_engine(args.database_url)
    with engine.connect() as conn:
        max_connections = int(conn.execute(sa.text("SHOW max_connections")).scalar())
    engine.dispose()
    latencies = [r[0] * 1000 for r in results]
    print(
        json.dumps(
            {
                "requests": len(results),
                "errors": sum(1 for r in results if not r[1]),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
                "p99_ms": round(percentile(latencies, 0.99), 1),
                "rps": round(len(results) / duration, 1),
                "peak_db_connections": peak[0],
                "workers": args.workers,
                "threads": args.threads,
                "users": args.users,
                "seconds": args.seconds,
                "pool_budget": args.workers * (pool + overflow),
                "max_connections": max_connections,
            }
        )
    )


if __name__ == "__main__":
    main()

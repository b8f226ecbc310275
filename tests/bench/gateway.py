"""Benchmark of the gateway check (C2.1, issue 17): the signed service check against a bare Flask app, side by side.

    python -m tests.bench.gateway [--seconds 4] [--rounds 3] [--database-url URL] [--redis]

Creates the PostgreSQL database given (dropped first), migrates it and loads the demo data, issues a production key
for a live channel, then starts two gunicorn servers with identical settings (2 workers x 4 gthread threads): the
service and `tests.bench.bare` (a constant JSON answer on the same URL). The same load generator (processes x
keep-alive connections, every request freshly signed with its own nonce) drives them alternately, `--rounds` times
each for `--seconds`, and one JSON line is printed: requests per second, p50 and p99 of each, the ratio of the two
throughputs, errors, and the machine's load average when the run began. With `--redis` a redis-server is started on a
free port and the service uses it for nonces (REDIS_URL).
"""

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.bench.load import free_port, percentile, prepare_database, start_server

ROOT = Path(__file__).resolve().parents[2]

ISSUE_KEY = """
import json
import sqlalchemy as sa
from app import create_app
from app.core.enums import ChannelStatus, KeyEnvironment, KeyStatus, Role
from app.extensions import db
from app.modules.accounts.models import User
from app.modules.channels.models import Channel
from app.modules.gateway.decisions import read_decisions
from app.modules.key_issuance import operations as ops
from app.modules.key_issuance.models import ChannelKey

app = create_app()
with app.app_context():
    operator = db.session.scalar(sa.select(User).where(User.role == Role.operator).limit(1))
    for key in db.session.scalars(sa.select(ChannelKey).join(Channel).where(
            Channel.status == ChannelStatus.live, ChannelKey.environment == KeyEnvironment.production,
            ChannelKey.status == KeyStatus.active, ChannelKey.valid_until.is_(None))):
        for service in sorted(read_decisions([key.key_id], {})[key.key_id].services):
            try:
                issued = ops.rotate_key(operator, key)
            except Exception:  # a channel still in a rotation's overlap: take another
                db.session.rollback()
                break
            print(json.dumps({"key_id": issued.key.key_id, "secret": issued.secret, "service": service}))
            raise SystemExit(0)
raise SystemExit("no live channel with a production key and a usable service")
"""


def issue_key(env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", ISSUE_KEY], env=env, cwd=ROOT, check=True, capture_output=True)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def drive(port: int, path: str, key: dict, seconds: float, threads: int, out) -> None:
    """One load process: `threads` closed-loop keep-alive connections, each request signed anew."""
    import http.client

    from app.modules.gateway.signing import sign_request

    results, deadline = [], time.monotonic() + seconds

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            headers = sign_request(key["key_id"], key["secret"], "GET", path)
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            results.append((time.perf_counter() - start, response.status == 200))
        conn.close()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.send(results)
    out.close()


def phase(port: int, path: str, key: dict, seconds: float, processes: int, threads: int) -> tuple[list, float]:
    pipes, procs = [], []
    for _ in range(processes):
        receive, send = multiprocessing.Pipe(duplex=False)
        proc = multiprocessing.Process(target=drive, args=(port, path, key, seconds, threads, send))
        proc.start()
        pipes.append(receive)
        procs.append(proc)
    started = time.monotonic()
    results = [r for pipe in pipes for r in pipe.recv()]
    elapsed = time.monotonic() - started
    for proc in procs:
        proc.join()
    return results, elapsed


def summary(results: list, seconds: float) -> dict:
    latencies = [r[0] * 1000 for r in results]
    return {
        "requests": len(results),
        "errors": sum(1 for r in results if not r[1]),
        "rps": round(len(results) / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
    }


def start_redis(workdir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return server, f"redis://127.0.0.1:{port}/0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/essc_gateway")
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="connections per load process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--redis", action="store_true", help="nonces in a redis-server started for the run")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="essc-gateway-")
    env = os.environ | {
        "DATABASE_URL": args.database_url,
        "FLASK_APP": "wsgi.py",
        "FLASK_CONFIG": "development",
        "DB_POOL_SIZE": str(args.server_threads),
        "DB_MAX_OVERFLOW": "2",
    }
    servers = []
    if args.redis:
        redis, env["REDIS_URL"] = start_redis(workdir)
        servers.append(redis)
    load_average = os.getloadavg()[0]
    runs = {"service": ([], 0.0), "bare": ([], 0.0)}
    try:
        prepare_database(args.database_url, env)
        key = issue_key(env)
        path = f"/api/v1/channel/services/{key['service']}"
        service_port, bare_port = free_port(), free_port()
        servers.append(start_server(service_port, env, args.workers, args.server_threads))
        servers.append(start_server(bare_port, env, args.workers, args.server_threads, app="tests.bench.bare:app"))
        for port in (service_port, bare_port):  # warm both up
            phase(port, path, key, 1, args.processes, args.threads)
        for _ in range(args.rounds):
            for target, port in (("service", service_port), ("bare", bare_port)):
                results, elapsed = phase(port, path, key, args.seconds, args.processes, args.threads)
                runs[target] = (runs[target][0] + results, runs[target][1] + elapsed)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(workdir, ignore_errors=True)
    service, bare = summary(*runs["service"]), summary(*runs["bare"])
    print(
        json.dumps(
            {
                "service": service,
                "bare_flask": bare,
                "ratio": round(service["rps"] / bare["rps"], 3),
                "nonces": "redis" if args.redis else "database",
                "workers": args.workers,
                "server_threads": args.server_threads,
                "load": f"{args.processes} processes x {args.threads} connections",
                "seconds": args.seconds * args.rounds,
                "load_average_before": round(load_average, 2),
            }
        )
    )


if __name__ == "__main__":
    main()

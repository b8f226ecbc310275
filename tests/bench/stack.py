"""Throughput through the whole stack (issue 26 item 9): `python -m tests.bench.stack` (or `make bench-stack`).

Builds the production stack of tests/deploy on this machine (nginx with TLS → gunicorn instances → pgbouncer in
transaction mode → PostgreSQL; Redis; the object store) with the demo data, then drives, from load processes on the
same machine, two kinds of requests through nginx over keep-alive TLS connections:

- signed gateway calls (a live channel's service check, every request signed anew with its own nonce);
- staff page views (an operator, enrolled as the README says, reading the home page, the applications and the
  channels lists).

Each kind runs against one instance, then two (nginx balancing), then two with the instances connected to PostgreSQL
directly instead of through pgbouncer. One JSON line: requests/s, p50 and p99 of each run, the ratio two/one and the
ratio pooled/direct from the same run, and the machine's cores and load average when it began (a ratio holds on a
noisy machine, an absolute time does not; on 2 cores the second instance competes with the first, nginx and the load
for the same CPUs, so two/one says what a second *host* would add only on a machine with cores to spare)."""

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import ssl
import tempfile
import threading
import time
from pathlib import Path

from app.modules.gateway.signing import sign_request
from tests.bench.load import percentile
from tests.deploy.stack import Stack, fresh_database

PAGES = ("/", "/applications", "/channels")


def _drive(port: int, cert: str, work: dict, seconds: float, threads: int, out) -> None:
    """One load process: `threads` closed-loop keep-alive TLS connections."""
    context = ssl.create_default_context(cafile=cert)
    results, deadline = [], time.monotonic() + seconds

    def loop(n: int):
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
        i = n
        while time.monotonic() < deadline:
            path, headers = _request(work, i)
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
                ok = False
            results.append((time.perf_counter() - start, ok))
        conn.close()

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.send(results)
    out.close()


def _request(work: dict, i: int) -> tuple[str, dict]:
    if work["kind"] == "gateway":
        return work["path"], sign_request(work["key_id"], work["secret"], "GET", work["path"])
    return PAGES[i % len(PAGES)], {"Cookie": work["cookie"]}


def run(stack: Stack, work: dict, seconds: float, processes: int, threads: int) -> dict:
    pipes, procs = [], []
    for _ in range(processes):
        receive, send = multiprocessing.Pipe(duplex=False)
        args = (stack.https_port, str(stack.cert), work, seconds, threads, send)
        proc = multiprocessing.Process(target=_drive, args=args)
        proc.start()
        pipes.append(receive)
        procs.append(proc)
    started = time.monotonic()
    results = [r for pipe in pipes for r in pipe.recv()]
    elapsed = time.monotonic() - started
    for proc in procs:
        proc.join()
    latencies = [r[0] * 1000 for r in results]
    return {
        "requests": len(results),
        "errors": sum(1 for r in results if not r[1]),
        "rps": round(len(results) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


def _instances(stack: Stack, names: list[str], args, direct: bool) -> list:
    for name in list(stack.instances):
        stack.kill_instance(name)
    env = {"DATABASE_URL": stack.database_url, "DB_PREPARE_THRESHOLD": ""} if direct else {}
    saved = dict(stack.env)
    stack.env |= env
    try:
        started = [stack.start_instance(name, args.workers, args.server_threads) for name in names]
    finally:
        stack.env = saved
    stack.stop_nginx()
    stack.start_nginx(started)
    return started


def measure(stack: Stack, works: dict, args) -> dict:
    runs = {}
    for label, names, direct in (("one", ["a"], False), ("two", ["a", "b"], False), ("two_direct", ["a", "b"], True)):
        _instances(stack, names, args, direct)
        for kind, work in works.items():
            run(stack, work, 1, args.processes, args.threads)  # warm up: caches, connections, pools
            runs[f"{kind}_{label}"] = run(stack, work, args.seconds, args.processes, args.threads)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6, help="connections per load process")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--server-threads", type=int, default=4)
    args = parser.parse_args()
    load_before = [round(v, 2) for v in os.getloadavg()]
    folder = Path(tempfile.mkdtemp(prefix="essc-stack-"))
    stack = Stack(folder, fresh_database(args.database_url, "essc_stack_bench"))
    try:
        stack.start_services()
        stack.flask("db", "upgrade")
        stack.flask("demo", "load")
        stack.start_nginx([stack.start_instance("a")])
        key = stack.issue_gateway_key()
        operator = stack.enrolled_staff("bench_operator", "operator", "压测运营员", "a-long-bench-password")
        works = {
            "gateway": {"kind": "gateway", "path": f"/api/v1/channel/services/{key['service']}"} | key,
            "pages": {"kind": "pages", "cookie": f"essc_session={operator.cookies.get('essc_session')}"},
        }
        runs = measure(stack, works, args)
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(summary(runs, args, load_before)))


def summary(runs: dict, args, load_before: list) -> dict:
    def ratio(a: str, b: str) -> float:
        return round(runs[a]["rps"] / runs[b]["rps"], 3) if runs[b]["rps"] else 0.0

    return {
        "runs": runs,
        "ratio_two_one": {"gateway": ratio("gateway_two", "gateway_one"), "pages": ratio("pages_two", "pages_one")},
        "ratio_pooled_direct": {
            "gateway": ratio("gateway_two", "gateway_two_direct"),
            "pages": ratio("pages_two", "pages_two_direct"),
        },
        "instance": f"{args.workers} workers x {args.server_threads} threads (gthread)",
        "load": f"{args.processes} processes x {args.threads} keep-alive TLS connections, {args.seconds} s a run",
        "machine": {"cores": os.cpu_count(), "load_average_before": load_before},
    }


if __name__ == "__main__":
    main()

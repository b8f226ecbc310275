"""gunicorn settings of one web instance of the e-SSC channel service (README, Production).

    gunicorn --config deploy/gunicorn.conf.py wsgi:app

Each instance on a host has a name (ESSC_INSTANCE, e.g. `a`); it gets its own control socket and its own metrics
folder, so that two instances on one host never share gunicorn's control socket (gunicorn 25+ creates one per
master, by default the same path for every master of a user) nor each other's Prometheus files. Everything else is
read from the environment (/etc/essc/essc.env and /etc/essc/web-<instance>.env under systemd)."""

import os
import shutil

instance = os.environ.get("ESSC_INSTANCE", "a")
run_dir = os.environ.get("ESSC_RUN_DIR", f"/run/essc/{instance}")

bind = os.environ.get("ESSC_BIND", "127.0.0.1:8000")
# gthread: each worker process serves `threads` requests at once; the database pool of a worker is sized to its
# threads (DB_POOL_SIZE), so workers x (DB_POOL_SIZE + DB_MAX_OVERFLOW) x instances stays below what PostgreSQL (or
# pgbouncer's max_client_conn) allows.
worker_class = "gthread"
workers = int(os.environ.get("ESSC_WORKERS", "2"))
threads = int(os.environ.get("ESSC_THREADS", "4"))
timeout = int(os.environ.get("ESSC_WORKER_TIMEOUT", "120"))  # a 200 MB recording upload on a slow line
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # workers are replaced now and then (memory), staggered
max_requests_jitter = 500
# The proxy in front (nginx) is trusted for X-Forwarded-*; the application reads them through TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("ESSC_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The application writes one JSON line per request itself (LOG_FORMAT=json): no second access log here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ESSC_GUNICORN_LOG_LEVEL", "info")
proc_name = f"essc-web-{instance}"
control_socket = os.path.join(run_dir, "gunicorn.ctl")

# Prometheus in multiprocess mode: every worker writes its counters to this folder; /metrics adds them up. It must
# be empty when the instance starts and is this instance's own. Set before prometheus_client is first imported
# (it reads the setting once, and the workers inherit this process's modules).
metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(run_dir, "metrics"))

from prometheus_client import multiprocess  # noqa: E402 - after the setting above


def on_starting(server):
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)

"""What operators watch: Prometheus metrics (prometheus_client).

Under gunicorn every worker is its own process: with PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py sets it
and empties it at start) each process writes its values to that folder and a scrape of any worker adds them up
(the library's multiprocess mode). The web instances serve them at `/metrics`, only to a caller with the bearer
token METRICS_TOKEN (unset: no such page); the scheduler and the delivery worker serve theirs on METRICS_PORT
(loopback unless METRICS_ADDRESS says otherwise). Current figures read from the database at each scrape (the
delivery queue) come from `register_gauge`, so that every instance answers the same.

Labels are bounded: endpoints by name (never a path with ids), refusal codes, job keys, outcomes."""

import os
from collections.abc import Callable

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "essc_http_requests", "HTTP requests answered, by endpoint, method and status", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "essc_http_request_duration_seconds",
    "Time to answer a request, by endpoint",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GATEWAY_DECISIONS = Counter(
    "essc_gateway_decisions", "Signed channel requests: served, or refused by code (C2.1)", ["outcome"]
)
GATEWAY_CACHE_AGE = Histogram(
    "essc_gateway_decision_cache_age_seconds",
    "Age of the worker's cached key decision a gateway request was checked against (bound: GATEWAY_CACHE_SECONDS)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
JOB_RUNS = Counter(
    "essc_job_runs", "Scheduled job runs by job and outcome (ok, skipped, failed, fenced)", ["job", "outcome"]
)
JOB_DURATION = Histogram(
    "essc_job_duration_seconds",
    "Duration of scheduled job runs",
    ["job"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600),
)
DELIVERIES = Counter(
    "essc_delivery_attempts", "E-mail and SMS delivery attempts by channel and outcome (S1)", ["channel", "outcome"]
)
SIGN_INS = Counter("essc_sign_in_attempts", "Sign-in and code attempts by outcome (S11)", ["outcome"])
THROTTLED = Counter("essc_throttled_requests", "Requests refused by a throttle (429), by limit", ["limit"])

_GAUGES: list[tuple[str, str, Callable[[], float]]] = []


def register_gauge(name: str, documentation: str, read: Callable[[], float]) -> None:
    """A figure read at each scrape (in the app context of the scrape), e.g. the delivery queue's depth."""
    _GAUGES[:] = [g for g in _GAUGES if g[0] != name] + [(name, documentation, read)]


class _Current:
    """The registered gauges, read now (in `app`'s context when given: a process without requests)."""

    def __init__(self, app=None):
        self.app = app

    def collect(self):
        if self.app is None:
            yield from self._read()
            return
        with self.app.app_context():
            yield from self._read()

    def _read(self):
        for name, documentation, read in _GAUGES:
            family = GaugeMetricFamily(name, documentation)
            family.add_metric([], float(read()))
            yield family


class _ThisProcess:
    """This process's own counters (without multiprocess mode: one process, one registry)."""

    def collect(self):
        yield from REGISTRY.collect()


def registry(app=None) -> CollectorRegistry:
    """What a scrape reports: every process's counters (multiprocess mode) or this process's, and the gauges."""
    collected = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(collected)
    else:
        collected.register(_ThisProcess())
    collected.register(_Current(app))
    return collected


def exposition() -> bytes:
    return generate_latest(registry())


def serve(address: str, port: int, app) -> None:
    """The metrics of a process without web pages (the scheduler, the delivery worker) on a port of their own."""
    start_http_server(port, addr=address, registry=registry(app))

"""`flask messages deliver` (once) and `flask messages worker` (continuously): send the queued e-mail and SMS copies
(S1). The scheduler runs the same delivery every minute; a delivery worker beside it sends sooner, and any number of
them may run on any hosts (each copy is claimed before it is sent, README, Production)."""

import json
import logging
import threading
import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.core import metrics
from app.core.scheduler import stop_signals
from app.extensions import db
from app.modules.messaging.delivery import deliver_pending

messages_cli = AppGroup("messages", help="Message delivery (S1).")
log = logging.getLogger("essc.delivery")


@messages_cli.command("deliver")
@click.option("--limit", default=200, show_default=True, help="deliveries to try in this run")
def deliver(limit: int) -> None:
    """Try every due e-mail/SMS delivery once; failures are recorded and retried later."""
    click.echo(json.dumps(deliver_pending(limit)))


@messages_cli.command("worker")
@click.option("--interval", default=10.0, show_default=True, help="seconds between two looks at the queue")
@click.option("--limit", default=200, show_default=True, help="deliveries to try per look")
def worker(interval: float, limit: int) -> None:
    """Deliver continuously until SIGTERM (the copy in hand is finished first); metrics on METRICS_PORT if set."""
    app = current_app._get_current_object()
    if app.config["METRICS_PORT"]:
        metrics.serve(app.config["METRICS_ADDRESS"], app.config["METRICS_PORT"], app)
    deliver_until(interval, limit)


def deliver_until(interval: float, limit: int, stopping: threading.Event | None = None) -> None:
    with stop_signals(stopping) as stopping:
        log.info("delivery worker started")
        while not stopping.is_set():
            _look(limit)
            stopping.wait(interval)
    log.info("delivery worker stopped")


def _look(limit: int) -> None:
    started = time.monotonic()
    try:
        counts = deliver_pending(limit)
    except Exception:  # the database is away: log it and look again at the next interval
        log.exception("delivery round failed")
        db.session.rollback()
        return
    finally:
        db.session.remove()
    if any(counts.values()):
        fields = {"event": "deliveries", "duration_ms": round((time.monotonic() - started) * 1000, 1)} | counts
        log.info("delivered %s", counts, extra={"fields": fields})

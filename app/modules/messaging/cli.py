"""`flask messages deliver`: send the queued e-mail and SMS copies (S1); the scheduler of issue 7 runs it too."""

import json

import click
from flask.cli import AppGroup

from app.modules.messaging.delivery import deliver_pending

messages_cli = AppGroup("messages", help="Message delivery (S1).")


@messages_cli.command("deliver")
@click.option("--limit", default=200, show_default=True, help="deliveries to try in this run")
def deliver(limit: int) -> None:
    """Try every due e-mail/SMS delivery once; failures are recorded and retried later."""
    click.echo(json.dumps(deliver_pending(limit)))
